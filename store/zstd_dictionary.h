// Training zstd dictionaries from stored records: small records compress far better with one.
#ifndef SSM_REPLAY_STORE_ZSTD_DICTIONARY_H_
#define SSM_REPLAY_STORE_ZSTD_DICTIONARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/status.h"

namespace ssm {

// At most `max_bytes`, and about a tenth of the samples' bytes when they are few. InvalidArgument
// (saying how many samples are needed) when there are too few samples to train on.
Result<std::string> TrainZstdDictionary(const std::vector<std::string>& samples, size_t max_bytes);

// The id zstd embedded in `dictionary` (0 for none).
uint32_t ZstdDictionaryId(const std::string& dictionary);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_ZSTD_DICTIONARY_H_
