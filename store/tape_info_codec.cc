#include "store/tape_info_codec.h"

#include <sstream>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <zstd.h>

namespace ssm {
namespace {

// Portable-binary fields, in order: u32 interactions, u64 raw_bytes, u64 stored_bytes,
// i64 first_recorded_ms, i64 last_recorded_ms, string canonical_body.
constexpr size_t kMaxInfoBytes = 16u << 20;

}  // namespace

std::string EncodeTapeInfo(const TapeInfo& info) {
  std::ostringstream raw(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(raw);
    ar(info.interactions, info.raw_bytes, info.stored_bytes, static_cast<int64_t>(info.first_recorded_ms),
       static_cast<int64_t>(info.last_recorded_ms), info.key.canonical_body());
  }
  std::string bytes = std::move(raw).str();
  std::string out(1 + ZSTD_compressBound(bytes.size()), '\0');
  out[0] = static_cast<char>(kTapeInfoVersion);
  // One context per thread, reused: creating one costs more than compressing a summary.
  struct Context {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ~Context() { ZSTD_freeCCtx(cctx); }
  };
  thread_local Context context;
  ZSTD_CCtx* cctx = context.cctx;
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t n = ZSTD_compress2(cctx, out.data() + 1, out.size() - 1, bytes.data(), bytes.size());
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(1 + n);
  return out;
}

Result<TapeInfo> DecodeTapeInfo(const TapeKey& key, std::string_view value) {
  if (value.empty()) return Status::Corruption("tape summary is empty");
  if (static_cast<uint8_t>(value[0]) > kTapeInfoVersion) {
    return Status::NotSupported("tape summary version " + std::to_string(static_cast<uint8_t>(value[0])) +
                                " is newer than this ssm-replay: upgrade ssm-replay to read this store");
  }
  std::string_view frame = value.substr(1);
  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxInfoBytes) {
    return Status::Corruption("tape summary's zstd frame header is damaged");
  }
  std::string raw(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompress(raw.data(), raw.size(), frame.data(), frame.size());
  if (ZSTD_isError(n) || n != raw.size()) {
    return Status::Corruption(std::string("tape summary fails to decompress: ") +
                              (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short"));
  }
  uint32_t interactions = 0;
  uint64_t raw_bytes = 0, stored_bytes = 0, body_size = 0;
  int64_t first = 0, last = 0;
  std::istringstream in(raw, std::ios::binary);
  std::string body;
  try {
    cereal::PortableBinaryInputArchive ar(in);
    ar(interactions, raw_bytes, stored_bytes, first, last);
    ar(cereal::make_size_tag(body_size));
    if (body_size > raw.size()) return Status::Corruption("tape summary's body length is out of range");
    body.resize(body_size);
    ar(cereal::binary_data(body.data(), body.size()));
  } catch (const std::exception& e) {
    return Status::Corruption(std::string("tape summary does not decode: ") + e.what());
  }
  TapeInfo info{key, interactions, raw_bytes, stored_bytes, first, last};
  if (!key.is_invocation()) {
    auto with_body = TapeKey::ForAction(key.action(), std::move(body));
    if (!with_body.ok()) return with_body.status();
    if (with_body->encoded() != key.encoded()) {
      return Status::Corruption("tape summary's request body does not match the tape key's hash");
    }
    info.key = std::move(with_body).value();
  }
  return info;
}

}  // namespace ssm
