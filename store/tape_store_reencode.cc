// TapeStore::ReencodeWithoutDictionary: the records written before the store had a dictionary,
// compressed again with it, a slice per transaction so that other writers (a recorder) wait at most
// one slice. Each slice's transaction also moves the resume point in `meta` (kReencodeFromKey), so a
// process stopped midway leaves it for the next writer that opens the store to go on from.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/tape_info_codec.h"
#include "store/tape_store_impl.h"

namespace ssm {

using namespace tape_store_internal;

namespace {

// Records looked at, and re-encoded, per slice.
constexpr size_t kScannedPerSlice = 20000;
constexpr size_t kEncodedPerSlice = 2000;

// Whether `value` is a record (store/FORMAT.md) compressed without a dictionary.
bool WithoutDictionary(std::string_view value) {
  return value.size() > 5 && static_cast<uint8_t>(value[0]) == kRecordVersion && ReadU32(value.substr(1, 4), false) == 0;
}

// Reads the next slice after `*from` (inclusive) and returns its records compressed without a
// dictionary; `*from` becomes the key to start the next slice at, empty when the table ended.
Result<std::vector<ReencodedRecord>> ReadSlice(const LmdbEnv& env, std::string* from) {
  std::vector<ReencodedRecord> out;
  Status s = env.Read([&](MDB_txn* txn) {
    MDB_cursor* cursor = nullptr;
    if (int rc = mdb_cursor_open(txn, env.tables().records, &cursor); rc != 0) return env.Check(rc);
    MDB_val k = ToVal(*from), v;
    int rc = mdb_cursor_get(cursor, &k, &v, from->empty() ? MDB_FIRST : MDB_SET_RANGE);
    for (size_t scanned = 0; rc == 0 && scanned < kScannedPerSlice && out.size() < kEncodedPerSlice; ++scanned) {
      if (WithoutDictionary(ToView(v))) out.push_back({std::string(ToView(k)), std::string(ToView(v)), {}});
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    from->assign(rc == 0 ? std::string(ToView(k)) : std::string());
    mdb_cursor_close(cursor);
    return env.Check(rc == MDB_NOTFOUND ? 0 : rc);
  });
  if (!s.ok()) return s;
  return out;
}

// Moves the resume point (kReencodeFromKey) to `next`, or removes it when `next` is empty.
Status SaveResumePoint(const LmdbEnv& env, MDB_txn* txn, const std::string& next) {
  MDB_val k = ToVal(kReencodeFromKey), v = ToVal(next);
  int rc = next.empty() ? mdb_del(txn, env.tables().meta, &k, nullptr) : mdb_put(txn, env.tables().meta, &k, &v, 0);
  return env.Check(rc == MDB_NOTFOUND ? 0 : rc);
}

}  // namespace

std::optional<std::string> TapeStore::Impl::ReencodeFrom() const {
  std::optional<std::string> from;
  (void)env_->Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(kReencodeFromKey), v;
    if (mdb_get(txn, env_->tables().meta, &k, &v) == 0) from.emplace(ToView(v));
    return Status::OK();  // unreadable: nothing to resume; a later dictionary sets it again
  });
  return from;
}

// Replaces each record's value where it still holds the old one, and corrects the stored bytes of
// the tapes they belong to. The slice's records are deleted first and put back in key order: put over
// in place, the smaller values would leave their pages mostly empty (LMDB merges a page only when it
// falls under a quarter full); put back in order after the deletes merged the range, they fill pages
// as an append does. Returns the records replaced.
Result<uint64_t> TapeStore::Impl::ApplySlice(const std::vector<ReencodedRecord>& slice, const std::string& next) {
  uint64_t replaced = 0;
  Status s = env_->Write([&](MDB_txn* txn) {
    const auto& t = env_->tables();
    std::vector<const ReencodedRecord*> deleted;
    for (const auto& r : slice) {
      if (r.new_value.empty()) continue;
      MDB_val k = ToVal(r.key), v;
      int rc = mdb_get(txn, t.records, &k, &v);
      if (rc == MDB_NOTFOUND || (rc == 0 && ToView(v) != r.old_value)) continue;  // changed meanwhile
      if (rc == 0) rc = mdb_del(txn, t.records, &k, nullptr);
      if (rc != 0) return env_->Check(rc);
      deleted.push_back(&r);
    }
    std::map<std::string, int64_t> delta;  // tape key -> change of its stored bytes
    for (const ReencodedRecord* r : deleted) {
      MDB_val k = ToVal(r->key), nv = ToVal(r->new_value);
      if (int rc = mdb_put(txn, t.records, &k, &nv, 0); rc != 0) return env_->Check(rc);
      delta[r->key.substr(0, r->key.size() - 4)] += int64_t(r->new_value.size()) - int64_t(r->old_value.size());
    }
    replaced = deleted.size();
    if (Status s = UpdateStoredBytes(txn, delta); !s.ok()) return s;
    return SaveResumePoint(*env_, txn, next);
  });
  if (!s.ok()) return s;
  return replaced;
}

Status TapeStore::Impl::UpdateStoredBytes(MDB_txn* txn, const std::map<std::string, int64_t>& delta) {
  const auto& t = env_->tables();
  for (const auto& [tape, change] : delta) {
    MDB_val k = ToVal(tape), v;
    if (mdb_get(txn, t.tapes, &k, &v) != 0) continue;  // a record without a tape: verify reports it
    auto key = TapeKey::Decode(tape);
    auto info = key.ok() ? DecodeTapeInfo(*key, ToView(v)) : Result<TapeInfo>(key.status());
    if (!info.ok()) continue;  // a damaged summary stays as it is, for verify to name
    info->stored_bytes = uint64_t(int64_t(info->stored_bytes) + change);
    std::string summary = EncodeTapeInfo(*info);
    MDB_val sv = ToVal(summary);
    if (int rc = mdb_put(txn, t.tapes, &k, &sv, 0); rc != 0) return env_->Check(rc);
  }
  return Status::OK();
}

bool TapeStore::ReencodePending() const { return impl_->ReencodeFrom().has_value(); }

Result<uint64_t> TapeStore::ReencodeWithoutDictionary(const std::atomic<bool>* stop) {
  uint32_t dict_id = impl_->CurrentDictionaryId();
  const std::string* dict = dict_id ? impl_->Dictionary(dict_id) : nullptr;
  if (dict == nullptr) return uint64_t{0};
  uint64_t total = 0;
  std::string from = impl_->ReencodeFrom().value_or("");
  do {
    auto slice = ReadSlice(impl_->env(), &from);
    if (!slice.ok()) return slice.status();
    for (auto& r : *slice) {
      auto interaction = DecodeInteraction(r.old_value);
      if (interaction.ok()) r.new_value = EncodeInteraction(*interaction, dict_id, dict);  // else: left for verify
    }
    auto replaced = impl_->ApplySlice(*slice, from);
    if (!replaced.ok()) return replaced.status();
    total += *replaced;
  } while (!from.empty() && !(stop && stop->load()));
  return total;
}

}  // namespace ssm
