// Fuzz target: the stored-record decoder, ssm::DecodeInteraction (store/record_codec.h).
//
// Input: one mode byte, then the payload.
//   mode bit 0 clear: the payload is a record value exactly as the store holds it.
//   mode bit 0 set:   the payload is the serialised (cereal) Interaction; it is wrapped here into a
//                     valid record (header + zstd frame with checksum), so that mutations reach the
//                     cereal decoding behind zstd's checksum, which random bytes almost never pass.
// Records may name dictionary 1 (record_dictionary.h); any other id is unknown to the store.
//
// Checked: decoding never crashes, reads out of bounds or allocates without bound; a failure is a
// Corruption or NotSupported with a message; a success re-encodes (with and without the dictionary)
// to bytes that decode to the same interaction, and the value cut short by one byte is refused.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <zstd.h>

#include "store/record_codec.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/record_dictionary.h"

namespace {

const std::string& FuzzDictionary() { return ssm::fuzz::RecordDictionary(); }

const std::string* Lookup(uint32_t id) {
  return id == ssm::fuzz::kRecordDictionaryId ? &FuzzDictionary() : nullptr;
}

// A well-formed record around `raw` serialised bytes: version 1, no dictionary, checksummed frame.
std::string WrapRaw(std::string_view raw) {
  std::string out(5 + ZSTD_compressBound(raw.size()), '\0');
  out[0] = static_cast<char>(ssm::kRecordVersion);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(cctx, out.data() + 5, out.size() - 5, raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  FUZZ_CHECK(!ZSTD_isError(n), "zstd failed to compress the fuzz payload");
  out.resize(5 + n);
  return out;
}

void CheckRoundTrip(const ssm::Interaction& in) {
  std::string plain = ssm::EncodeInteraction(in);
  auto again = ssm::DecodeInteraction(plain);
  FUZZ_CHECK(again.ok(), again.status().ToString().c_str());
  FUZZ_CHECK(*again == in, "re-encoded interaction decodes differently");

  std::string with_dict = ssm::EncodeInteraction(in, ssm::fuzz::kRecordDictionaryId, &FuzzDictionary());
  auto again_dict = ssm::DecodeInteraction(with_dict, Lookup);
  FUZZ_CHECK(again_dict.ok(), again_dict.status().ToString().c_str());
  FUZZ_CHECK(*again_dict == in, "interaction re-encoded with a dictionary decodes differently");
  // The dictionary is needed: without it, an error value, never a misread.
  FUZZ_CHECK(!ssm::DecodeInteraction(with_dict).ok(), "a dictionary record decoded without its dictionary");

  auto reserialised = ssm::DecodeInteraction(WrapRaw(ssm::SerializeInteraction(in)));
  FUZZ_CHECK(reserialised.ok() && *reserialised == in, "SerializeInteraction output does not decode back");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string value = (data[0] & 1) ? WrapRaw(payload) : std::string(payload);

  ssm::Result<ssm::Interaction> decoded = ssm::DecodeInteraction(value, Lookup);
  if (!decoded.ok()) {
    const ssm::Status& s = decoded.status();
    FUZZ_CHECK(s.IsCorruption() || s.IsNotSupported(), s.ToString().c_str());
    FUZZ_CHECK(!s.message().empty(), "an error without a message");
    return 0;
  }
  // A record cut short is always detected (the zstd frame, or its checksum, is incomplete).
  FUZZ_CHECK(!ssm::DecodeInteraction(std::string_view(value).substr(0, value.size() - 1), Lookup).ok(),
             "a record missing its last byte still decodes");
  CheckRoundTrip(*decoded);
  return 0;
}
