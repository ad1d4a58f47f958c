#include "store/record_codec.h"

#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <tuple>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>
#include <zstd.h>

// Version 1 of the serialised Interaction (store/FORMAT.md, "Interaction"). A new field means a new
// version here (written by SerializeInto) and a branch in load() so older records still read.
CEREAL_CLASS_VERSION(ssm::Interaction, 1)

namespace ssm {
namespace {

constexpr size_t kHeaderBytes = 5;  // u8 record version + u32 LE dictionary id
// No single interaction is anywhere near this; a larger claimed size means damage.
constexpr unsigned long long kMaxDecodedBytes = 64ull << 20;

// Lets load() refuse lengths that run past the end of the decoded bytes, so damaged input cannot
// make it allocate gigabytes. Set by DecodeInteraction for the duration of one decode on this
// thread (cereal offers no stable way to hand a load function context).
struct DecodeBounds {
  std::istringstream* stream;
  size_t total;
  size_t Remaining() const {
    auto pos = stream->tellg();
    return pos < 0 ? 0 : total - static_cast<size_t>(pos);
  }
};
thread_local const DecodeBounds* current_bounds = nullptr;

size_t Remaining() { return current_bounds ? current_bounds->Remaining() : 0; }

void LoadString(cereal::PortableBinaryInputArchive& ar, std::string& s) {
  cereal::size_type n = 0;
  ar(cereal::make_size_tag(n));
  if (n > Remaining()) {
    throw cereal::Exception("a string's length runs past the end of the record");
  }
  s.resize(static_cast<size_t>(n));
  ar(cereal::binary_data(s.data(), static_cast<size_t>(n)));
}

}  // namespace

// Reads what SerializeInto (below) writes, field by field, checking every length against what is left.
void load(cereal::PortableBinaryInputArchive& ar, Interaction& i, std::uint32_t version) {
  if (version != 1) throw cereal::Exception("unknown Interaction version " + std::to_string(version));
  LoadString(ar, i.action);
  LoadString(ar, i.request_body);
  int32_t status = 0;
  ar(status);
  i.status = status;
  cereal::size_type headers = 0;
  ar(cereal::make_size_tag(headers));
  // Each header takes at least two 8-byte length prefixes.
  if (headers > Remaining() / 16) {
    throw cereal::Exception("header count runs past the end of the record");
  }
  i.headers.resize(static_cast<size_t>(headers));
  for (auto& [name, value] : i.headers) {
    LoadString(ar, name);
    LoadString(ar, value);
  }
  LoadString(ar, i.response_body);
  int64_t recorded_at = 0, latency = 0;
  ar(recorded_at, latency);
  i.recorded_at_ms = recorded_at;
  i.upstream_latency_us = latency;
  LoadString(ar, i.source);
}

namespace {

// What cereal's PortableBinaryOutputArchive writes for `ar(interaction)` with a save() of the fields
// in FORMAT.md's order, written directly: going through an ostringstream and cereal's per-field calls
// cost more than compressing the result. tests/record_codec_test.cc checks the two agree byte for byte.
void PutLE(uint64_t v, int bytes, std::string* out) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out->append(b, static_cast<size_t>(bytes));
}
void PutString(const std::string& s, std::string* out) {
  PutLE(s.size(), 8, out);  // cereal::size_type is u64
  out->append(s);
}

void SerializeInto(const Interaction& i, std::string* out) {
  size_t size = 1 + 4 + 8 * 4 + i.action.size() + i.request_body.size() + 4 + 8 + i.response_body.size() + 16 +
                i.source.size();
  for (const auto& [name, value] : i.headers) size += 16 + name.size() + value.size();
  out->clear();
  out->reserve(size);
  out->push_back(1);  // the archive's endianness flag: little endian
  PutLE(1, 4, out);   // CEREAL_CLASS_VERSION of Interaction, written before its first instance
  PutString(i.action, out);
  PutString(i.request_body, out);
  PutLE(static_cast<uint32_t>(static_cast<int32_t>(i.status)), 4, out);
  PutLE(i.headers.size(), 8, out);
  for (const auto& [name, value] : i.headers) {
    PutString(name, out);
    PutString(value, out);
  }
  PutString(i.response_body, out);
  PutLE(static_cast<uint64_t>(i.recorded_at_ms), 8, out);
  PutLE(static_cast<uint64_t>(i.upstream_latency_us), 8, out);
  PutString(i.source, out);
}

}  // namespace

std::string SerializeInteraction(const Interaction& interaction) {
  std::string out;
  SerializeInto(interaction, &out);
  return out;
}

namespace {

// zstd's default level: most of the ratio at a fraction of the time of higher levels. With a
// dictionary, level 3 is both smaller and faster than level 1 on stored records (most of a record
// matches the dictionary); without one, level 1 gives the same size within 1 % at 1.4 times the speed
// (bench/README.md, "Scale"). Readers do not care which level wrote a frame.
constexpr int kLevel = 3;
constexpr int kLevelWithoutDictionary = 1;

// zstd contexts are costly to create, and digesting a dictionary costs far more than compressing a
// record with it: one context of each kind per thread, and each dictionary digested once per thread.
// A dictionary is known by its id and the address and size of its bytes (stores never free or
// change a dictionary while open).
struct ZstdContexts {
  using DictKey = std::tuple<uint32_t, const void*, size_t>;
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string raw;         // EncodeInteraction's serialised record, reused
  std::string compressed;  // and its compressed frame
  std::map<DictKey, ZSTD_CDict*> cdicts;
  std::map<DictKey, ZSTD_DDict*> ddicts;

  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
    for (auto& [key, d] : cdicts) ZSTD_freeCDict(d);
    for (auto& [key, d] : ddicts) ZSTD_freeDDict(d);
  }
  ZSTD_CDict* CDict(uint32_t id, const std::string& dict) {
    ZSTD_CDict*& d = cdicts[DictKey(id, dict.data(), dict.size())];
    if (d == nullptr) d = ZSTD_createCDict(dict.data(), dict.size(), kLevel);
    return d;
  }
  ZSTD_DDict* DDict(uint32_t id, const std::string& dict) {
    ZSTD_DDict*& d = ddicts[DictKey(id, dict.data(), dict.size())];
    if (d == nullptr) d = ZSTD_createDDict(dict.data(), dict.size());
    return d;
  }
};
ZstdContexts& Contexts() {
  thread_local ZstdContexts contexts;
  return contexts;
}

}  // namespace

std::string EncodeInteraction(const Interaction& interaction, uint32_t dictionary_id,
                              const std::string* dictionary, size_t* raw_size) {
  ZstdContexts& contexts = Contexts();
  std::string& raw = contexts.raw;
  SerializeInto(interaction, &raw);
  if (raw_size) *raw_size = raw.size();
  ZSTD_CCtx* cctx = contexts.cctx;
  ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, dictionary ? kLevel : kLevelWithoutDictionary);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  if (dictionary == nullptr) dictionary_id = 0;
  if (dictionary != nullptr) ZSTD_CCtx_refCDict(cctx, contexts.CDict(dictionary_id, *dictionary));

  // Compressed into a reused buffer, then copied: a value sized by compressBound would keep that
  // capacity (about the raw size) until it is written.
  std::string& frame = contexts.compressed;
  frame.resize(ZSTD_compressBound(raw.size()));
  size_t n = ZSTD_compress2(cctx, frame.data(), frame.size(), raw.data(), raw.size());
  // Compression into a compressBound-sized buffer cannot fail short of memory exhaustion.
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  std::string out;
  out.reserve(kHeaderBytes + n);
  out.push_back(static_cast<char>(kRecordVersion));
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>((dictionary_id >> (8 * b)) & 0xff));
  out.append(frame.data(), n);
  return out;
}

Result<Interaction> DecodeInteraction(std::string_view value, const DictionaryLookup& dictionaries) {
  if (value.size() < kHeaderBytes) {
    return Status::Corruption("record is truncated (" + std::to_string(value.size()) + " bytes)");
  }
  uint8_t version = static_cast<uint8_t>(value[0]);
  if (version > kRecordVersion) {
    return Status::NotSupported("record version " + std::to_string(version) + " is newer than this ssm-replay (" +
                                std::to_string(kRecordVersion) + "): upgrade ssm-replay to read this store");
  }
  if (version == 0) return Status::Corruption("record version 0 is invalid");
  uint32_t dictionary_id = 0;
  for (int b = 0; b < 4; ++b) dictionary_id |= uint32_t(static_cast<uint8_t>(value[1 + b])) << (8 * b);
  std::string_view frame = value.substr(kHeaderBytes);

  unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxDecodedBytes) {
    return Status::Corruption("record's zstd frame header is damaged");
  }
  ZSTD_DCtx* dctx = Contexts().dctx;
  ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters);
  if (dictionary_id != 0) {
    const std::string* dict = dictionaries ? dictionaries(dictionary_id) : nullptr;
    if (dict == nullptr) {
      return Status::Corruption("record needs zstd dictionary " + std::to_string(dictionary_id) +
                                ", which the store does not have");
    }
    ZSTD_DCtx_refDDict(dctx, Contexts().DDict(dictionary_id, *dict));
  }
  std::string raw(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return Status::Corruption(std::string("record fails to decompress: ") + ZSTD_getErrorName(n));
  if (n != raw.size()) return Status::Corruption("record decompresses to fewer bytes than its header says");

  std::istringstream in(raw, std::ios::binary);
  DecodeBounds bounds{&in, raw.size()};
  Interaction interaction;
  current_bounds = &bounds;
  try {
    cereal::PortableBinaryInputArchive ar(in);
    ar(interaction);
  } catch (const std::exception& e) {
    current_bounds = nullptr;
    return Status::Corruption(std::string("record's contents do not decode: ") + e.what());
  }
  current_bounds = nullptr;
  if (static_cast<size_t>(in.tellg()) != raw.size()) {
    return Status::Corruption("record has trailing bytes after the interaction");
  }
  return interaction;
}

}  // namespace ssm
