// TapeStore's zstd dictionaries: finding the one a record names, and training a new one.
#include <algorithm>

#include "store/tape_store_impl.h"
#include "store/zstd_dictionary.h"

namespace ssm {

using namespace tape_store_internal;

namespace {

std::string DictionaryKey(uint32_t id) { return "dictionary/" + U32Bytes(id, true); }

// Up to `max_samples` serialised records, every stride-th one, so that the samples span the whole
// store: its first records in key order are all of one kind (action tapes sort before invocation
// tapes).
Result<std::vector<std::string>> SampleStoredRecords(const LmdbEnv& env, const DictionaryLookup& lookup,
                                               size_t max_samples) {
  std::vector<std::string> samples;
  Status s = env.Read([&](MDB_txn* txn) {
    MDB_stat stat;
    mdb_stat(txn, env.tables().records, &stat);
    uint64_t stride = std::max<uint64_t>(1, stat.ms_entries / std::max<size_t>(1, max_samples));
    uint64_t n = 0;
    return env.Check(ScanPrefix(txn, env.tables().records, "", [&](std::string_view, std::string_view v) {
      if (n++ % stride != 0) return true;
      auto interaction = DecodeInteraction(v, lookup);
      if (interaction.ok()) samples.push_back(SerializeInteraction(*interaction));
      return samples.size() < max_samples;
    }));
  });
  if (!s.ok()) return s;
  return samples;
}

// Trains a dictionary on `samples` and makes it current. With `reencode_older`, a store holding records
// also gets the resume point of their re-encode (kReencodeFromKey) in the same transaction, so that
// whoever opens the store next does it, should this process stop before it has.
Result<uint32_t> Install(LmdbEnv& env, const std::vector<std::string>& samples, size_t max_bytes,
                         bool reencode_older) {
  auto dict = TrainZstdDictionary(samples, max_bytes);
  if (!dict.ok()) return dict.status();
  uint32_t id = ZstdDictionaryId(*dict);
  if (id == 0) return Status::InvalidArgument("the trained dictionary has no id; train on more tapes");
  std::string key = DictionaryKey(id), id_bytes = U32Bytes(id, false);
  Status s = env.Write([&](MDB_txn* txn) {
    MDB_val k = ToVal(key), v = ToVal(*dict);
    if (int rc = mdb_put(txn, env.tables().meta, &k, &v, 0); rc != 0) return env.Check(rc);
    MDB_val ck = ToVal(kCurrentDictionaryKey), cv = ToVal(id_bytes);
    if (int rc = mdb_put(txn, env.tables().meta, &ck, &cv, 0); rc != 0) return env.Check(rc);
    if (!reencode_older) return Status::OK();
    MDB_stat records;
    if (int rc = mdb_stat(txn, env.tables().records, &records); rc != 0) return env.Check(rc);
    if (records.ms_entries == 0) return Status::OK();
    MDB_val rk = ToVal(kReencodeFromKey), rv = ToVal("");
    return env.Check(mdb_put(txn, env.tables().meta, &rk, &rv, 0));
  });
  if (!s.ok()) return s;
  return id;
}

}  // namespace

const std::string* TapeStore::Impl::Dictionary(uint32_t id) const {
  if (const std::string* known = dictionaries_.Find(id)) return known;
  std::string bytes;
  bool found = false;
  std::string key = DictionaryKey(id);
  (void)env_->Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(key), v;
    if (mdb_get(txn, env_->tables().meta, &k, &v) == 0) {
      bytes.assign(ToView(v));
      found = true;
    }
    return Status::OK();  // a dictionary that cannot be read is unknown: the decode says so
  });
  return found ? dictionaries_.Add(id, std::move(bytes)) : nullptr;
}

uint32_t TapeStore::Impl::CurrentDictionaryId() const {
  uint32_t id = 0;
  (void)env_->Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(kCurrentDictionaryKey), v;
    if (mdb_get(txn, env_->tables().meta, &k, &v) == 0 && v.mv_size == 4) id = ReadU32(ToView(v), false);
    return Status::OK();  // none, or unreadable: records are compressed without one
  });
  return id;
}

Result<uint32_t> TapeStore::TrainDictionary(size_t max_bytes, size_t max_samples) {
  auto samples = SampleRecords(max_samples);
  if (!samples.ok()) return samples.status();
  return Install(impl_->env(), *samples, max_bytes, /*reencode_older=*/false);
}

Result<std::vector<std::string>> TapeStore::SampleRecords(size_t max_samples) const {
  return SampleStoredRecords(impl_->env(), impl_->Lookup(), max_samples);
}

uint32_t TapeStore::DictionaryId() const { return impl_->CurrentDictionaryId(); }

Result<uint32_t> TapeStore::InstallDictionary(const std::vector<std::string>& samples, size_t max_bytes) {
  return Install(impl_->env(), samples, max_bytes, /*reencode_older=*/true);
}

}  // namespace ssm
