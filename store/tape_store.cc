// TapeStore: opening a store, and the calls that walk all of it (list, verify, stats). Compacting
// copies are in tape_store_compact.cc.
// Reads of tapes are in tape_store_read.cc, writes in tape_store_write.cc, dictionaries in
// tape_store_dictionary.cc.
#include "store/tape_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <utility>

#include "store/auto_dictionary.h"
#include "store/sha256.h"
#include "store/tape_info_codec.h"
#include "store/tape_store_impl.h"

namespace ssm {
namespace tape_store_internal {

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

std::string RecordKey(const TapeKey& key, uint32_t seq) { return key.encoded() + U32Bytes(seq, true); }

bool IsRecordKeyOf(std::string_view k, std::string_view tape) {
  return k.size() == tape.size() + 4 && StartsWith(k, tape);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace tape_store_internal

using namespace tape_store_internal;

namespace {

// Bytes of the pages the store's tables (and LMDB's two meta pages and main table) use in `txn`.
uint64_t UsedBytes(const LmdbEnv& env, MDB_txn* txn) {
  constexpr MDB_dbi kMainTable = 1;  // LMDB's table of named tables
  const LmdbEnv::Tables& t = env.tables();
  uint64_t pages = 2;
  unsigned page_size = 0;
  for (MDB_dbi dbi : {kMainTable, t.meta, t.tapes, t.records}) {
    MDB_stat stat;
    if (mdb_stat(txn, dbi, &stat) != 0) continue;
    pages += stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages;
    page_size = stat.ms_psize;
  }
  return pages * page_size;
}

}  // namespace

Status TapeStore::Impl::CheckFormat(bool may_write) {
  std::optional<uint32_t> version;
  Status s = env_->Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(kFormatVersionKey), v;
    int rc = mdb_get(txn, env_->tables().meta, &k, &v);
    if (rc == MDB_NOTFOUND) return Status::OK();
    if (rc != 0) return env_->Check(rc);
    if (v.mv_size != 4) return Status::Corruption("store " + env_->dir() + " has a damaged format version record");
    version = ReadU32(ToView(v), false);
    return Status::OK();
  });
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
      return env_->Check(mdb_put(txn, env_->tables().meta, &k, &v, 0));
    });
  }
  format_version_ = version.value_or(kStoreFormatVersion);
  return Status::OK();
}

Status TapeStore::Impl::CheckTape(MDB_txn* txn, const TapeKey& key, std::string_view summary,
                                  uint64_t* records) const {
  auto info = DecodeTapeInfo(key, summary);
  if (!info.ok()) return info.status();
  std::vector<Interaction> entries;
  Status problem = ReadRecords(txn, info->key, &entries);
  *records += entries.size();
  if (problem.ok() && entries.size() != info->interactions) {
    problem = Status::Corruption("tape has " + std::to_string(entries.size()) + " entries, its summary says " +
                                 std::to_string(info->interactions));
  }
  return problem;
}

TapeStore::TapeStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TapeStore::~TapeStore() = default;

Result<std::unique_ptr<TapeStore>> TapeStore::Open(const std::string& dir, const StoreOptions& options) {
  auto env = LmdbEnv::Open(dir, options.create_if_missing, options.read_only, options.sync, options.initial_map_bytes);
  if (!env.ok()) return env.status();
  auto impl = std::make_unique<Impl>(std::move(env).value());
  Status s = impl->CheckFormat(!options.read_only);
  if (!s.ok()) return s;
  std::unique_ptr<TapeStore> store(new TapeStore(std::move(impl)));
  if (!options.read_only && options.auto_dictionary_records > 0) {
    Impl* opened = store->impl_.get();
    store->auto_dictionary_ = std::make_unique<AutoDictionary>(store.get(), options.auto_dictionary_records,
                                                               [opened] { return opened->RecordCount(); });
    // A re-encode a process stopped midway (store/FORMAT.md, `reencode/from`) goes on in the background.
    if (opened->ReencodeFrom()) store->auto_dictionary_->ResumeReencode();
  }
  return store;
}

Status TapeStore::WaitForBackgroundWork() { return auto_dictionary_ ? auto_dictionary_->Wait() : Status::OK(); }

uint64_t TapeStore::Impl::RecordCount() const {
  uint64_t records = 0;
  (void)env_->Read([&](MDB_txn* txn) {
    MDB_stat stat;
    if (mdb_stat(txn, env_->tables().records, &stat) == 0) records = stat.ms_entries;
    return Status::OK();  // unknown: 0, and no dictionary is trained on it
  });
  return records;
}

const std::string& TapeStore::dir() const { return impl_->env().dir(); }

Result<std::vector<TapeInfo>> TapeStore::ListTapes(const TapeFilter& filter) const {
  std::string prefix;
  if (filter.command_id) {
    prefix = TapeKey::CommandIdPrefix(*filter.command_id);
    if (filter.command_id_is_prefix) prefix.pop_back();  // drop the 0x00 that ends the CommandId
  } else if (filter.action && *filter.action != kGetCommandInvocation) {
    prefix = TapeKey::ActionPrefix(*filter.action);
  }
  std::vector<TapeInfo> out;
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    Status bad;
    int rc = ScanPrefix(txn, env.tables().tapes, prefix, [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      if (!key.ok()) {
        bad = key.status();
        return false;
      }
      if (filter.action && key->action() != *filter.action) return true;
      if (filter.instance_id && (!key->is_invocation() || key->instance_id() != *filter.instance_id)) return true;
      auto info = DecodeTapeInfo(*key, v);
      if (!info.ok()) {
        bad = Status::Corruption("tape " + key->Describe() + ": " + info.status().message());
        return false;
      }
      if (filter.recorded_since_ms && info->last_recorded_ms < *filter.recorded_since_ms) return true;
      if (filter.recorded_until_ms && info->first_recorded_ms > *filter.recorded_until_ms) return true;
      out.push_back(std::move(info).value());
      return filter.limit == 0 || out.size() < filter.limit;
    });
    return bad.ok() ? env.Check(rc) : bad;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<TapeKey>> TapeStore::ListTapeKeys(std::string_view encoded_prefix, size_t limit) const {
  std::vector<TapeKey> out;
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    Status bad;
    int rc = ScanPrefix(txn, env.tables().tapes, encoded_prefix, [&](std::string_view k, std::string_view) {
      auto key = TapeKey::Decode(k);
      if (!key.ok()) {
        bad = key.status();
        return false;
      }
      out.push_back(std::move(key).value());
      return limit == 0 || out.size() < limit;
    });
    return bad.ok() ? env.Check(rc) : bad;
  });
  if (!s.ok()) return s;
  return out;
}

Result<uint64_t> TapeStore::Verify(const std::function<void(const std::string&, const Status&)>& on_bad,
                                   const std::function<void(uint64_t, uint64_t)>& on_progress) const {
  uint64_t bad = 0;
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    const auto& t = env.tables();
    MDB_stat stat;
    mdb_stat(txn, t.tapes, &stat);
    uint64_t total = stat.ms_entries, done = 0, records_seen = 0;
    int rc = ScanPrefix(txn, t.tapes, "", [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      Status problem = key.ok() ? impl_->CheckTape(txn, *key, v, &records_seen) : key.status();
      if (!problem.ok()) {
        ++bad;
        on_bad(key.ok() ? key->Describe() : "(undecodable key " + HexEncode(k.substr(0, 48)) + ")", problem);
      }
      if (on_progress) on_progress(++done, total);
      return true;
    });
    if (rc != 0) return env.Check(rc);
    mdb_stat(txn, t.records, &stat);
    if (stat.ms_entries != records_seen && bad == 0) {
      ++bad;
      on_bad("(records table)", Status::Corruption(std::to_string(stat.ms_entries - records_seen) +
                                                   " records belong to no tape"));
    }
    return Status::OK();
  });
  if (!s.ok()) return s;
  return bad;
}

uint64_t TapeStore::DataBytes() const {
  MDB_envinfo info;
  MDB_stat stat;
  MDB_env* env = impl_->env().env();
  if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &stat) != 0) return 0;
  return (static_cast<uint64_t>(info.me_last_pgno) + 1) * stat.ms_psize;
}

Result<StoreStats> TapeStore::Stats() const {
  StoreStats stats;
  stats.format_version = impl_->format_version();
  stats.dictionary_id = impl_->CurrentDictionaryId();
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    Status bad;
    int rc = ScanPrefix(txn, env.tables().tapes, "", [&](std::string_view k, std::string_view v) {
      auto key = TapeKey::Decode(k);
      auto info = key.ok() ? DecodeTapeInfo(*key, v) : Result<TapeInfo>(key.status());
      if (!info.ok()) {
        bad = Status::Corruption(info.status().message() + " (run `ssm-replay verify`)");
        return false;
      }
      ++stats.tapes;
      stats.interactions += info->interactions;
      stats.raw_bytes += info->raw_bytes;
      stats.stored_bytes += info->stored_bytes;
      return true;
    });
    if (bad.ok() && rc == 0) stats.used_bytes = UsedBytes(env, txn);
    return bad.ok() ? env.Check(rc) : bad;
  });
  if (!s.ok()) return s;
  MDB_envinfo info;
  mdb_env_info(env.env(), &info);
  stats.map_bytes = info.me_mapsize;
  struct stat st;
  if (::stat((dir() + "/data.mdb").c_str(), &st) == 0) stats.file_bytes = static_cast<uint64_t>(st.st_size);
  return stats;
}

}  // namespace ssm
