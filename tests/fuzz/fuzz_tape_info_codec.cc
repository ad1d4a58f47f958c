// Fuzz target: the tape summary decoder, ssm::DecodeTapeInfo (store/tape_info_codec.h).
//
// Input: one mode byte, then the payload.
//   mode bit 0 clear: the payload is a "tapes" table value exactly as the store holds it.
//   mode bit 0 set:   the payload is the serialised (cereal) summary, wrapped here into a valid value
//                     (version byte + checksummed zstd frame) so mutations reach the field decoding.
//   mode bits 1-2: the tape key the value is decoded for (Keys() below): two invocation keys, and two
//                  action keys whose canonical body the value must carry (its SHA-256 is in the key).
//
// Checked: no crash, no out-of-bounds read; a failure is a Corruption or NotSupported with a message;
// a success re-encodes to a value that decodes to the same summary.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <zstd.h>

#include "store/tape_info_codec.h"
#include "store/tape_key.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/summary_keys.h"

namespace {

const std::vector<ssm::TapeKey>& Keys() {
  static const std::vector<ssm::TapeKey> keys = ssm::fuzz::SummaryKeys();
  return keys;
}

std::string WrapRaw(std::string_view raw) {
  std::string out(1 + ZSTD_compressBound(raw.size()), '\0');
  out[0] = static_cast<char>(ssm::kTapeInfoVersion);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(cctx, out.data() + 1, out.size() - 1, raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  FUZZ_CHECK(!ZSTD_isError(n), "zstd failed to compress the fuzz payload");
  out.resize(1 + n);
  return out;
}

bool SameInfo(const ssm::TapeInfo& a, const ssm::TapeInfo& b) {
  return a.key == b.key && a.key.canonical_body() == b.key.canonical_body() &&
         a.interactions == b.interactions && a.raw_bytes == b.raw_bytes && a.stored_bytes == b.stored_bytes &&
         a.first_recorded_ms == b.first_recorded_ms && a.last_recorded_ms == b.last_recorded_ms;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const ssm::TapeKey& key = Keys()[(data[0] >> 1) & 3];
  std::string_view payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string value = (data[0] & 1) ? WrapRaw(payload) : std::string(payload);

  ssm::Result<ssm::TapeInfo> decoded = ssm::DecodeTapeInfo(key, value);
  if (!decoded.ok()) {
    const ssm::Status& s = decoded.status();
    FUZZ_CHECK(s.IsCorruption() || s.IsNotSupported(), s.ToString().c_str());
    FUZZ_CHECK(!s.message().empty(), "an error without a message");
    return 0;
  }
  FUZZ_CHECK(decoded->key == key, "summary decoded for another key");
  FUZZ_CHECK(key.is_invocation() || decoded->key.canonical_body() == key.canonical_body(),
             "action summary decoded with another request body");
  auto again = ssm::DecodeTapeInfo(key, ssm::EncodeTapeInfo(*decoded));
  FUZZ_CHECK(again.ok(), again.status().ToString().c_str());
  FUZZ_CHECK(SameInfo(*again, *decoded), "re-encoded summary decodes differently");
  return 0;
}
