#include "store/record_codec.h"

#include <map>
#include <stdexcept>
#include <tuple>

#include <zstd.h>

#include "store/port/mutex.h"

namespace ssm {
namespace {

constexpr size_t kHeaderBytes = 5;  // u8 record version + u32 LE dictionary id
// No single interaction is anywhere near this; a larger claimed size means damage.
constexpr unsigned long long kMaxDecodedBytes = 64ull << 20;

}  // namespace

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

// Reads the fields SerializeInto writes. Every length is checked against what is left before anything
// is allocated, so damaged bytes give an error, never a huge allocation or a read past the end.
// Directly, like SerializeInto: cereal's archive over a std::istringstream cost about as much as the
// zstd decode of the record.
class SerializedReader {
 public:
  explicit SerializedReader(std::string_view bytes) : rest_(bytes) {}

  bool Fixed(size_t bytes, uint64_t* v) {  // `bytes` (<= 8) little-endian
    if (rest_.size() < bytes) return false;
    uint64_t x = 0;
    for (size_t b = 0; b < bytes; ++b) x |= uint64_t(static_cast<uint8_t>(rest_[b])) << (8 * b);
    rest_.remove_prefix(bytes);
    *v = x;
    return true;
  }
  bool String(std::string* s) {
    uint64_t n = 0;
    if (!Fixed(8, &n) || n > rest_.size()) return false;
    s->assign(rest_.data(), static_cast<size_t>(n));
    rest_.remove_prefix(static_cast<size_t>(n));
    return true;
  }
  size_t remaining() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

Status ParseSerialized(std::string_view raw, Interaction* i) {
  auto bad = [](const std::string& what) { return Status::Corruption("record's contents do not decode: " + what); };
  const char* kOverrun = "a length runs past the end of the record";
  SerializedReader in(raw);
  uint64_t byte_order = 0, version = 0, status = 0, headers = 0, recorded_at = 0, latency = 0;
  if (!in.Fixed(1, &byte_order) || !in.Fixed(4, &version)) return bad(kOverrun);
  if (byte_order != 1) return bad("byte-order flag " + std::to_string(byte_order) + " (records are little endian: 1)");
  if (version != 1) return bad("unknown Interaction version " + std::to_string(version));
  if (!in.String(&i->action) || !in.String(&i->request_body) || !in.Fixed(4, &status) || !in.Fixed(8, &headers)) {
    return bad(kOverrun);
  }
  i->status = static_cast<int32_t>(static_cast<uint32_t>(status));
  if (headers > in.remaining() / 16) return bad("header count runs past the end of the record");  // 2 lengths each
  i->headers.resize(static_cast<size_t>(headers));
  for (auto& [name, value] : i->headers) {
    if (!in.String(&name) || !in.String(&value)) return bad(kOverrun);
  }
  if (!in.String(&i->response_body) || !in.Fixed(8, &recorded_at) || !in.Fixed(8, &latency) ||
      !in.String(&i->source)) {
    return bad(kOverrun);
  }
  i->recorded_at_ms = static_cast<int64_t>(recorded_at);
  i->upstream_latency_us = static_cast<int64_t>(latency);
  if (in.remaining() != 0) return Status::Corruption("record has trailing bytes after the interaction");
  return Status::OK();
}

// zstd's default level: most of the ratio at a fraction of the time of higher levels. With a
// dictionary, level 3 is both smaller and faster than level 1 on stored records (most of a record
// matches the dictionary); without one, level 1 gives the same size within 1 % at 1.4 times the speed
// (bench/README.md, "Optimisations kept"). Readers do not care which level wrote a frame.
constexpr int kLevel = 3;
constexpr int kLevelWithoutDictionary = 1;

// zstd contexts are costly to create, and digesting a dictionary costs far more than compressing a
// record with it: one context of each kind per thread, and each dictionary digested once. A dictionary
// is known by its id and the address and size of its bytes (stores never free or change a dictionary
// while open).
using DictKey = std::tuple<uint32_t, const void*, size_t>;

// Digested decompression dictionaries are shared by every thread: a server's ~20 threads with a copy
// each kept that many in the CPU caches, and the decode of a record reads most of one. Each thread
// keeps borrowed pointers, so the lock is taken once per thread and dictionary.
class SharedDDicts {
 public:
  static ZSTD_DDict* Get(uint32_t id, const std::string& dict) {
    static SharedDDicts shared;
    MutexLock lock(&shared.mu_);
    ZSTD_DDict*& d = shared.dicts_[DictKey(id, dict.data(), dict.size())];
    if (d == nullptr) d = ZSTD_createDDict(dict.data(), dict.size());
    return d;
  }
  ~SharedDDicts() {
    MutexLock lock(&mu_);
    for (auto& [key, d] : dicts_) ZSTD_freeDDict(d);
  }

 private:
  Mutex mu_;
  std::map<DictKey, ZSTD_DDict*> dicts_ GUARDED_BY(mu_);  // owned
};

struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  std::string raw;         // EncodeInteraction's serialised record, and DecodeInteraction's, reused
  std::string compressed;  // EncodeInteraction's compressed frame
  std::map<DictKey, ZSTD_CDict*> cdicts;  // owned
  std::map<DictKey, ZSTD_DDict*> ddicts;  // borrowed from SharedDDicts

  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
    for (auto& [key, d] : cdicts) ZSTD_freeCDict(d);
  }
  ZSTD_CDict* CDict(uint32_t id, const std::string& dict) {
    ZSTD_CDict*& d = cdicts[DictKey(id, dict.data(), dict.size())];
    if (d == nullptr) d = ZSTD_createCDict(dict.data(), dict.size(), kLevel);
    return d;
  }
  ZSTD_DDict* DDict(uint32_t id, const std::string& dict) {
    ZSTD_DDict*& d = ddicts[DictKey(id, dict.data(), dict.size())];
    if (d == nullptr) d = SharedDDicts::Get(id, dict);
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

Status DecodeInteraction(std::string_view value, const DictionaryLookup& dictionaries, Interaction* out) {
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
  std::string& raw = Contexts().raw;
  raw.resize(static_cast<size_t>(size));
  size_t n = ZSTD_decompressDCtx(dctx, raw.data(), raw.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) return Status::Corruption(std::string("record fails to decompress: ") + ZSTD_getErrorName(n));
  if (n != raw.size()) return Status::Corruption("record decompresses to fewer bytes than its header says");

  return ParseSerialized(raw, out);
}

Result<Interaction> DecodeInteraction(std::string_view value, const DictionaryLookup& dictionaries) {
  Interaction interaction;
  Status s = DecodeInteraction(value, dictionaries, &interaction);
  if (!s.ok()) return s;
  return interaction;
}

}  // namespace ssm
