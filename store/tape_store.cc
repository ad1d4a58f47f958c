#include "store/tape_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "store/lmdb_env.h"
#include "store/record_codec.h"
#include "store/sha256.h"
#include "store/tape_info_codec.h"
#include "store/zstd_dictionary.h"

namespace ssm {
namespace {

constexpr char kFormatVersionKey[] = "format_version";
constexpr char kCurrentDictionaryKey[] = "dictionary/current";
// An LMDB return code meaning "the callback failed; its Status says why".
constexpr int kCallbackFailed = -1;

std::string U32Bytes(uint32_t v, bool big_endian) {
  std::string out(4, '\0');
  for (int b = 0; b < 4; ++b) out[big_endian ? 3 - b : b] = static_cast<char>((v >> (8 * b)) & 0xff);
  return out;
}
uint32_t ReadU32(std::string_view s, bool big_endian) {
  uint32_t v = 0;
  for (int b = 0; b < 4; ++b) v |= uint32_t(static_cast<uint8_t>(s[big_endian ? 3 - b : b])) << (8 * b);
  return v;
}
std::string DictionaryKey(uint32_t id) { return "dictionary/" + U32Bytes(id, true); }
std::string RecordKey(const TapeKey& key, uint32_t seq) { return key.encoded() + U32Bytes(seq, true); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// Calls fn(key, value) for each entry of `dbi` whose key starts with `prefix`, in order, until fn
// returns false.
template <typename Fn>
int ScanPrefix(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, Fn&& fn) {
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc != 0) return rc;
  MDB_val k = ToVal(prefix), v;
  rc = mdb_cursor_get(cursor, &k, &v, prefix.empty() ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == 0 && StartsWith(ToView(k), prefix)) {
    if (!fn(ToView(k), ToView(v))) break;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

}  // namespace

class TapeStore::Impl {
 public:
  Impl(std::unique_ptr<LmdbEnv> env) : env_(std::move(env)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    for (const DictionaryNode* n = dictionaries_.load(); n != nullptr;) delete std::exchange(n, n->next);
  }

  Status CheckFormat(bool may_write) {
    std::optional<uint32_t> version;
    Status inner;
    Status s = env_->Read([&](MDB_txn* txn) {
      MDB_val k = ToVal(kFormatVersionKey), v;
      int rc = mdb_get(txn, env_->tables().meta, &k, &v);
      if (rc == 0) {
        if (v.mv_size != 4) {
          inner = Status::Corruption("store " + env_->dir() + " has a damaged format version record");
          return kCallbackFailed;
        }
        version = ReadU32(ToView(v), false);
      }
      return rc;
    });
    if (!inner.ok()) return inner;
    if (!s.ok()) return s;
    if (version && *version > kStoreFormatVersion) {
      return Status::NotSupported("store " + env_->dir() + " was written in store format " +
                                  std::to_string(*version) + "; this ssm-replay reads formats up to " +
                                  std::to_string(kStoreFormatVersion) +
                                  ". Use a newer ssm-replay (or export the tapes with it and import them here).");
    }
    if (!version && may_write) {
      std::string bytes = U32Bytes(kStoreFormatVersion, false);
      return env_->Write([&](MDB_txn* txn) {
        MDB_val k = ToVal(kFormatVersionKey), v = ToVal(bytes);
        return mdb_put(txn, env_->tables().meta, &k, &v, 0);
      });
    }
    format_version_ = version.value_or(kStoreFormatVersion);
    return Status::OK();
  }

  // Returns the dictionary for `id`, reading it from the store the first time. Pointers stay valid
  // for the store's lifetime: dictionaries are never removed. Every decode asks, from every request
  // thread, so a known dictionary is found without a lock (a thread preempted holding a shared lock
  // held up every decode behind it).
  const std::string* Dictionary(uint32_t id) const {
    if (const std::string* known = FindDictionary(dictionaries_.load(std::memory_order_acquire), id)) return known;
    std::string bytes;
    bool found = false;
    std::string key = DictionaryKey(id);
    (void)env_->Read([&](MDB_txn* txn) {
      MDB_val k = ToVal(key), v;
      int rc = mdb_get(txn, env_->tables().meta, &k, &v);
      if (rc == 0) {
        bytes.assign(ToView(v));
        found = true;
      }
      return rc;
    });
    if (!found) return nullptr;
    std::lock_guard<std::mutex> l(dict_mu_);  // one adder at a time; readers never wait
    const DictionaryNode* head = dictionaries_.load(std::memory_order_relaxed);
    if (const std::string* added = FindDictionary(head, id)) return added;  // by another thread meanwhile
    auto* node = new DictionaryNode{id, std::move(bytes), head};
    dictionaries_.store(node, std::memory_order_release);
    return &node->bytes;
  }

  DictionaryLookup Lookup() const {
    return [this](uint32_t id) { return Dictionary(id); };
  }

  uint32_t CurrentDictionaryId() const {
    uint32_t id = 0;
    (void)env_->Read([&](MDB_txn* txn) {
      MDB_val k = ToVal(kCurrentDictionaryKey), v;
      int rc = mdb_get(txn, env_->tables().meta, &k, &v);
      if (rc == 0 && v.mv_size == 4) id = ReadU32(ToView(v), false);
      return rc;
    });
    return id;
  }

  // Encoding happens outside the transaction: it keeps the single writer's critical section short,
  // and a retry after the map grew need not encode again.
  EncodedBatch Encode(const WriteBatch& batch, size_t workers) const {
    uint32_t dict_id = CurrentDictionaryId();
    const std::string* dict = dict_id ? Dictionary(dict_id) : nullptr;
    std::vector<EncodedBatch::Entry> encoded(batch.size());
    auto encode = [&](size_t i) {
      const WriteBatch::Entry& in = batch.entries()[i];
      EncodedBatch::Entry& out = encoded[i];
      out.op = in.op;
      out.key = in.key;
      out.values.reserve(in.interactions.size());
      for (const auto& interaction : in.interactions) {
        size_t raw_size = 0;
        out.values.push_back(EncodeInteraction(interaction, dict_id, dict, &raw_size));
        out.raw_bytes += raw_size;
        if (out.values.size() == 1) out.first_recorded_ms = interaction.recorded_at_ms;
        out.last_recorded_ms = interaction.recorded_at_ms;
      }
      if (in.op == WriteBatch::Op::kReplace) {
        TapeInfo info{in.key, static_cast<uint32_t>(out.values.size()), out.raw_bytes, 0, out.first_recorded_ms,
                      out.last_recorded_ms};
        for (const auto& value : out.values) info.stored_bytes += value.size();
        out.summary = EncodeTapeInfo(info);
      }
    };
    workers = std::max<size_t>(1, std::min(workers, batch.size()));
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) {
      threads.emplace_back([&, w] {
        for (size_t i = w; i < batch.size(); i += workers) encode(i);
      });
    }
    for (size_t i = 0; i < batch.size(); i += workers) encode(i);
    for (auto& t : threads) t.join();
    EncodedBatch out;
    for (auto& e : encoded) out.Add(std::move(e));
    return out;
  }

  Status Write(const EncodedBatch& batch) {
    Status inner;
    Status s = env_->Write([&](MDB_txn* txn) {
      const auto& t = env_->tables();
      for (size_t i = 0; i < batch.size(); ++i) {
        const auto& entry = batch.entries()[i];
        const TapeKey& key = entry.key;
        MDB_val k = ToVal(key.encoded()), v;
        TapeInfo info{key, 0, 0, 0, 0, 0};
        int rc = mdb_get(txn, t.tapes, &k, &v);
        if (rc == 0 && entry.op == WriteBatch::Op::kAppend) {
          auto old = DecodeTapeInfo(key, ToView(v));
          if (!old.ok()) {
            inner = Status::Corruption("cannot append to tape " + key.Describe() + ": " + old.status().message() +
                                       " (delete the tape and record it again)");
            return kCallbackFailed;
          }
          info = std::move(old).value();
          info.key = key;
        } else if (rc == 0) {
          if ((rc = DeleteRecords(txn, key)) != 0) return rc;
          if ((rc = mdb_del(txn, t.tapes, &k, nullptr)) != 0) return rc;
        } else if (rc != MDB_NOTFOUND) {
          return rc;
        }
        if (entry.op == WriteBatch::Op::kDelete) continue;
        const EncodedBatch::Entry& e = entry;
        for (const auto& value : e.values) {
          std::string record_key = RecordKey(key, info.interactions++);
          MDB_val rk = ToVal(record_key), rv = ToVal(value);
          // Keys ascend within a tape, so appending is cheap; MDB_APPEND would need global order.
          if ((rc = mdb_put(txn, t.records, &rk, &rv, 0)) != 0) return rc;
          info.stored_bytes += value.size();
        }
        info.raw_bytes += e.raw_bytes;
        if (info.first_recorded_ms == 0) info.first_recorded_ms = e.first_recorded_ms;
        if (!e.values.empty()) info.last_recorded_ms = e.last_recorded_ms;
        // For a replaced tape, Encode made this summary already: it starts from nothing.
        std::string appended_summary;
        const std::string& info_value =
            entry.op == WriteBatch::Op::kReplace ? entry.summary : (appended_summary = EncodeTapeInfo(info));
        MDB_val iv = ToVal(info_value);
        if ((rc = mdb_put(txn, t.tapes, &k, &iv, 0)) != 0) return rc;
      }
      return 0;
    });
    return inner.ok() ? s : inner;
  }

  int DeleteRecords(MDB_txn* txn, const TapeKey& key) {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, env_->tables().records, &cursor);
    if (rc != 0) return rc;
    MDB_val k = ToVal(key.encoded()), v;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && StartsWith(ToView(k), key.encoded()) && k.mv_size == key.encoded().size() + 4) {
      if ((rc = mdb_cursor_del(cursor, 0)) != 0) break;
      rc = mdb_cursor_get(cursor, &k, &v, MDB_GET_CURRENT);
    }
    mdb_cursor_close(cursor);
    return rc == MDB_NOTFOUND || rc == EINVAL ? 0 : rc;
  }

  // Decodes the record of entry `index` of the tape for `key`. Corruption names the tape and the
  // entry; NotSupported (a newer record version) is returned as it is.
  Status DecodeEntry(const TapeKey& key, size_t index, std::string_view record, Interaction* out) const {
    Status s = DecodeInteraction(record, Lookup(), out);
    if (s.ok() || s.IsNotSupported()) return s;
    return Status::Corruption("tape " + key.Describe() + ", entry " + std::to_string(index) + ": " + s.message());
  }

  // Reads the tape's records inside `txn`. Corruption names the tape and the entry.
  Status ReadRecords(MDB_txn* txn, const TapeKey& key, std::vector<Interaction>* out) const {
    Status bad;
    uint32_t expected = 0;
    int rc = ScanPrefix(txn, env_->tables().records, key.encoded(), [&](std::string_view k, std::string_view v) {
      if (k.size() != key.encoded().size() + 4) return true;
      uint32_t seq = ReadU32(k.substr(key.encoded().size()), true);
      if (seq != expected) {
        bad = Status::Corruption("tape " + key.Describe() + " is missing entry " + std::to_string(expected));
        return false;
      }
      Interaction interaction;
      bad = DecodeEntry(key, seq, v, &interaction);
      if (!bad.ok()) return false;
      ++expected;
      if (out) out->push_back(std::move(interaction));
      return true;
    });
    if (!bad.ok()) return bad;
    if (rc != 0) return Status::IOError(env_->Describe(rc));
    return Status::OK();
  }

  std::unique_ptr<LmdbEnv> env_;
  uint32_t format_version_ = kStoreFormatVersion;
  // Dictionaries read so far: a list only ever prepended to (under dict_mu_), so readers walk it
  // without a lock. Owned.
  struct DictionaryNode {
    uint32_t id;
    std::string bytes;
    const DictionaryNode* next;
  };
  static const std::string* FindDictionary(const DictionaryNode* head, uint32_t id) {
    for (const DictionaryNode* n = head; n != nullptr; n = n->next) {
      if (n->id == id) return &n->bytes;
    }
    return nullptr;
  }
  mutable std::mutex dict_mu_;
  mutable std::atomic<const DictionaryNode*> dictionaries_{nullptr};
};

TapeStore::TapeStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TapeStore::~TapeStore() = default;

Result<std::unique_ptr<TapeStore>> TapeStore::Open(const std::string& dir, const StoreOptions& options) {
  auto env = LmdbEnv::Open(dir, options.create_if_missing, options.read_only, options.sync, options.initial_map_bytes);
  if (!env.ok()) return env.status();
  auto impl = std::make_unique<Impl>(std::move(env).value());
  Status s = impl->CheckFormat(!options.read_only);
  if (!s.ok()) return s;
  return std::unique_ptr<TapeStore>(new TapeStore(std::move(impl)));
}

const std::string& TapeStore::dir() const { return impl_->env_->dir(); }

Status TapeStore::Write(const WriteBatch& batch) {
  // Compression dominates large writes: spread it over the cores.
  size_t workers = batch.size() >= 64 ? std::max(1u, std::thread::hardware_concurrency()) : 1;
  return impl_->Write(impl_->Encode(batch, workers));
}

EncodedBatch TapeStore::Encode(const WriteBatch& batch) const { return impl_->Encode(batch, 1); }

Status TapeStore::Write(const EncodedBatch& batch) { return impl_->Write(batch); }

Result<Tape> TapeStore::ReadTape(const TapeKey& key) const {
  Tape tape{key, {}};
  Status inner;
  bool found = false;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(key.encoded()), v;
    int rc = mdb_get(txn, impl_->env_->tables().tapes, &k, &v);
    if (rc != 0) return rc;
    found = true;
    inner = impl_->ReadRecords(txn, key, &tape.interactions);
    return 0;
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  if (!found) return Status::NotFound("no tape for " + key.Describe());
  return tape;
}

Status TapeStore::LocateEntry(
    const TapeKey& key, const std::function<size_t(size_t length)>& pick,
    const std::function<Status(size_t length, size_t index, std::string_view record)>& use) const {
  const std::string& prefix = key.encoded();
  Status inner;
  bool found = false;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    MDB_cursor* cursor = nullptr;
    int rc = mdb_cursor_open(txn, impl_->env_->tables().records, &cursor);
    if (rc != 0) return rc;
    // The tape's last record: the one before the first key past every sequence number of the tape.
    std::string past_end = prefix + std::string(4, '\xff');
    MDB_val k = ToVal(past_end), v;
    rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && ToView(k) != past_end) {
      rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV);
    } else if (rc == MDB_NOTFOUND) {
      rc = mdb_cursor_get(cursor, &k, &v, MDB_LAST);
    }
    // Another tape's record keys never start with this key at this length (store/FORMAT.md).
    if (rc == 0 && k.mv_size == prefix.size() + 4 && StartsWith(ToView(k), prefix)) {
      found = true;
      size_t length = size_t{ReadU32(ToView(k).substr(prefix.size()), true)} + 1;
      size_t index = std::min(pick(length), length - 1);
      if (index + 1 != length) {
        std::string record_key = RecordKey(key, static_cast<uint32_t>(index));
        k = ToVal(record_key);
        rc = mdb_get(txn, impl_->env_->tables().records, &k, &v);
        if (rc == MDB_NOTFOUND) {
          inner = Status::Corruption("tape " + key.Describe() + " is missing entry " + std::to_string(index) +
                                     " (run `ssm-replay verify`)");
          rc = kCallbackFailed;
        }
      }
      if (rc == 0) {
        inner = use(length, index, ToView(v));
        if (!inner.ok()) rc = kCallbackFailed;
      }
    } else if (rc == 0 || rc == MDB_NOTFOUND) {
      rc = MDB_NOTFOUND;
    }
    mdb_cursor_close(cursor);
    return rc;
  });
  if (!inner.ok()) return inner;
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("no tape for " + key.Describe());
  return Status::OK();
}

Result<TapeStore::TapeEntry> TapeStore::ReadTapeEntry(const TapeKey& key,
                                                      const std::function<size_t(size_t)>& pick) const {
  TapeEntry entry;
  Status s = LocateEntry(key, pick, [&](size_t length, size_t index, std::string_view record) {
    entry.length = length;
    entry.index = index;
    return impl_->DecodeEntry(key, index, record, &entry.interaction);
  });
  if (!s.ok()) return s;
  return entry;
}

Status TapeStore::ReadStoredEntry(const TapeKey& key, const std::function<size_t(size_t)>& pick,
                                  StoredEntry* out) const {
  return LocateEntry(key, pick, [&](size_t length, size_t index, std::string_view record) {
    out->length = length;
    out->index = index;
    out->record.assign(record);
    return Status::OK();
  });
}

Status TapeStore::DecodeStoredEntry(const TapeKey& key, size_t index, std::string_view record,
                                    Interaction* out) const {
  return impl_->DecodeEntry(key, index, record, out);
}

Result<std::vector<TapeInfo>> TapeStore::ListTapes(const TapeFilter& filter) const {
  std::string prefix;
  if (filter.command_id) {
    prefix = TapeKey::CommandIdPrefix(*filter.command_id);
  } else if (filter.action && *filter.action != kGetCommandInvocation) {
    prefix = std::string("A") + *filter.action + '\0';
  }
  std::vector<TapeInfo> out;
  Status inner;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    return ScanPrefix(txn, impl_->env_->tables().tapes, prefix, [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      if (!key.ok()) {
        inner = key.status();
        return false;
      }
      if (filter.action && key->action() != *filter.action) return true;
      if (filter.instance_id && (!key->is_invocation() || key->instance_id() != *filter.instance_id)) return true;
      auto info = DecodeTapeInfo(*key, v);
      if (!info.ok()) {
        inner = Status::Corruption("tape " + key->Describe() + ": " + info.status().message());
        return false;
      }
      out.push_back(std::move(info).value());
      return filter.limit == 0 || out.size() < filter.limit;
    });
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  return out;
}

Result<uint64_t> TapeStore::Verify(const std::function<void(const std::string&, const Status&)>& on_bad,
                                   const std::function<void(uint64_t, uint64_t)>& on_progress) const {
  uint64_t bad = 0;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    const auto& t = impl_->env_->tables();
    MDB_stat stat;
    mdb_stat(txn, t.tapes, &stat);
    uint64_t total = stat.ms_entries, done = 0, records_seen = 0;
    int rc = ScanPrefix(txn, t.tapes, "", [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      std::string name = key.ok() ? key->Describe() : "(undecodable key " + HexEncode(k.substr(0, 48)) + ")";
      Status problem = key.status();
      uint32_t expected = 0;
      if (problem.ok()) {
        auto info = DecodeTapeInfo(*key, v);
        if (!info.ok()) {
          problem = info.status();
        } else {
          expected = info->interactions;
          std::vector<Interaction> entries;
          problem = impl_->ReadRecords(txn, info->key, &entries);
          if (problem.ok() && entries.size() != expected) {
            problem = Status::Corruption("tape has " + std::to_string(entries.size()) + " entries, its summary says " +
                                         std::to_string(expected));
          }
          records_seen += entries.size();
        }
      }
      if (!problem.ok()) {
        ++bad;
        on_bad(name, problem);
      }
      if (on_progress) on_progress(++done, total);
      return true;
    });
    if (rc != 0) return rc;
    mdb_stat(txn, t.records, &stat);
    if (stat.ms_entries != records_seen && bad == 0) {
      ++bad;
      on_bad("(records table)", Status::Corruption(std::to_string(stat.ms_entries - records_seen) +
                                                   " records belong to no tape"));
    }
    return 0;
  });
  if (!s.ok()) return s;
  return bad;
}

uint64_t TapeStore::DataBytes() const {
  MDB_envinfo info;
  MDB_stat stat;
  if (mdb_env_info(impl_->env_->env(), &info) != 0 || mdb_env_stat(impl_->env_->env(), &stat) != 0) return 0;
  return (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
}

Result<StoreStats> TapeStore::Stats() const {
  StoreStats stats;
  stats.format_version = impl_->format_version_;
  stats.dictionary_id = impl_->CurrentDictionaryId();
  Status inner;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    return ScanPrefix(txn, impl_->env_->tables().tapes, "", [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      auto info = key.ok() ? DecodeTapeInfo(*key, v) : Result<TapeInfo>(key.status());
      if (!info.ok()) {
        inner = Status::Corruption(info.status().message() + " (run `ssm-replay verify`)");
        return false;
      }
      ++stats.tapes;
      stats.interactions += info->interactions;
      stats.raw_bytes += info->raw_bytes;
      stats.stored_bytes += info->stored_bytes;
      return true;
    });
  });
  if (!s.ok()) return s;
  if (!inner.ok()) return inner;
  MDB_envinfo info;
  mdb_env_info(impl_->env_->env(), &info);
  stats.map_bytes = info.me_mapsize;
  struct stat st;
  if (::stat((dir() + "/data.mdb").c_str(), &st) == 0) stats.file_bytes = static_cast<uint64_t>(st.st_size);
  return stats;
}

Status TapeStore::CopyCompact(const std::string& out_dir) const {
  struct stat st;
  if (::stat((out_dir + "/data.mdb").c_str(), &st) == 0) {
    return Status::InvalidArgument(out_dir + " already holds a store: compact writes to a new, empty directory");
  }
  auto out = LmdbEnv::Open(out_dir, /*create=*/true, /*read_only=*/false, /*sync=*/false, 64ull << 20);
  if (!out.ok()) return out.status();
  const LmdbEnv::Tables& from = impl_->env_->tables();
  const LmdbEnv::Tables& to = (*out)->tables();
  // Entries are appended in key order (MDB_APPEND), so every page comes out full: after imports and
  // recordings in random key order, pages are about half full, and LMDB's own compacting copy keeps
  // them so.
  constexpr size_t kEntriesPerTransaction = 20000;
  Status inner;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    for (auto tables : {std::pair{from.meta, to.meta}, {from.tapes, to.tapes}, {from.records, to.records}}) {
      MDB_dbi src = tables.first, dst = tables.second;  // not a structured binding: lambdas capture dst
      MDB_cursor* cursor = nullptr;
      int rc = mdb_cursor_open(txn, src, &cursor);
      if (rc != 0) return rc;
      MDB_val k, v;
      rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
      std::vector<std::pair<std::string, std::string>> chunk;
      while (rc == 0 && inner.ok()) {
        chunk.clear();
        for (; rc == 0 && chunk.size() < kEntriesPerTransaction; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
          chunk.emplace_back(ToView(k), ToView(v));
        }
        inner = (*out)->Write([&](MDB_txn* out_txn) {
          for (const auto& [key, value] : chunk) {
            MDB_val ok = ToVal(key), ov = ToVal(value);
            if (int r = mdb_put(out_txn, dst, &ok, &ov, MDB_APPEND); r != 0) return r;
          }
          return 0;
        });
      }
      mdb_cursor_close(cursor);
      if (!inner.ok()) return kCallbackFailed;
      if (rc != MDB_NOTFOUND) return rc;
    }
    return 0;
  });
  if (s.ok() && inner.ok() && mdb_env_sync((*out)->env(), 1) != 0) {
    inner = Status::IOError("cannot sync the compacted copy in " + out_dir);
  }
  if (!inner.ok() || !s.ok()) {
    out->reset();
    ::unlink((out_dir + "/data.mdb").c_str());
    ::unlink((out_dir + "/lock.mdb").c_str());
    return Status::IOError("compacting copy to " + out_dir + " failed: " + (inner.ok() ? s : inner).message());
  }
  return Status::OK();
}

Result<uint32_t> TapeStore::TrainDictionary(size_t max_bytes, size_t max_samples) {
  std::vector<std::string> samples;
  Status inner;
  Status s = impl_->env_->Read([&](MDB_txn* txn) {
    // Every stride-th record, so the samples span the whole store: its first records in key order are
    // all of one kind (action tapes sort before invocation tapes).
    MDB_stat stat;
    mdb_stat(txn, impl_->env_->tables().records, &stat);
    uint64_t stride = std::max<uint64_t>(1, stat.ms_entries / std::max<size_t>(1, max_samples));
    uint64_t n = 0;
    return ScanPrefix(txn, impl_->env_->tables().records, "", [&](std::string_view, std::string_view v) {
      if (n++ % stride != 0) return true;
      auto interaction = DecodeInteraction(v, impl_->Lookup());
      if (interaction.ok()) samples.push_back(SerializeInteraction(*interaction));
      return samples.size() < max_samples;
    });
  });
  if (!s.ok()) return s;
  auto dict = TrainZstdDictionary(samples, max_bytes);
  if (!dict.ok()) return dict.status();
  uint32_t id = ZstdDictionaryId(*dict);
  if (id == 0) return Status::InvalidArgument("the trained dictionary has no id; train on more tapes");
  std::string key = DictionaryKey(id), id_bytes = U32Bytes(id, false);
  s = impl_->env_->Write([&](MDB_txn* txn) {
    MDB_val k = ToVal(key), v = ToVal(*dict);
    int rc = mdb_put(txn, impl_->env_->tables().meta, &k, &v, 0);
    if (rc != 0) return rc;
    MDB_val ck = ToVal(kCurrentDictionaryKey), cv = ToVal(id_bytes);
    return mdb_put(txn, impl_->env_->tables().meta, &ck, &cv, 0);
  });
  if (!s.ok()) return s;
  return id;
}

}  // namespace ssm
