#include "store/zstd_dictionary.h"

#include <zdict.h>

#include <algorithm>

namespace ssm {

Result<std::string> TrainZstdDictionary(const std::vector<std::string>& samples, size_t max_bytes) {
  constexpr size_t kMinSamples = 8;
  constexpr size_t kMinDictionaryBytes = 4096;
  if (samples.size() < kMinSamples) {
    return Status::InvalidArgument("too few records to train a dictionary (" + std::to_string(samples.size()) +
                                   "; at least " + std::to_string(kMinSamples) + ", ideally thousands)");
  }
  std::string joined;
  std::vector<size_t> sizes;
  for (const auto& s : samples) {
    joined += s;
    sizes.push_back(s.size());
  }
  // zstd advises samples of about 100 times the dictionary; with fewer, a dictionary a tenth of them
  // holds what they share without copying them whole.
  std::string dict(std::min(max_bytes, std::max<size_t>(kMinDictionaryBytes, joined.size() / 10)), '\0');
  size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), joined.data(), sizes.data(),
                                   static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) {
    return Status::InvalidArgument(std::string("zstd could not train a dictionary: ") + ZDICT_getErrorName(n) +
                                   " (more, or more varied, tapes help)");
  }
  dict.resize(n);
  return dict;
}

uint32_t ZstdDictionaryId(const std::string& dictionary) {
  return ZDICT_getDictID(dictionary.data(), dictionary.size());
}

}  // namespace ssm
