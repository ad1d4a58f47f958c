// TapeStore's reads of tapes: whole, or one entry (decoded, or as stored for a cache).
#include <algorithm>

#include "store/tape_store_impl.h"

namespace ssm {

using namespace tape_store_internal;

namespace {

// Positions `cursor` on the last record of the tape whose encoded key is `tape`: the one before the
// first key past every sequence number of the tape. MDB_NOTFOUND when the tape has no records.
int SeekLastRecord(MDB_cursor* cursor, const std::string& tape, MDB_val* k, MDB_val* v) {
  std::string past_end = tape + std::string(4, '\xff');
  *k = ToVal(past_end);
  int rc = mdb_cursor_get(cursor, k, v, MDB_SET_RANGE);
  if (rc == 0 && ToView(*k) != past_end) {
    rc = mdb_cursor_get(cursor, k, v, MDB_PREV);
  } else if (rc == MDB_NOTFOUND) {
    rc = mdb_cursor_get(cursor, k, v, MDB_LAST);
  }
  if (rc == 0 && !IsRecordKeyOf(ToView(*k), tape)) rc = MDB_NOTFOUND;
  return rc;
}

}  // namespace

Status TapeStore::Impl::DecodeEntry(const TapeKey& key, size_t index, std::string_view record,
                                    Interaction* out) const {
  Status s = DecodeInteraction(record, Lookup(), out);
  if (s.ok() || s.IsNotSupported()) return s;
  return Status::Corruption("tape " + key.Describe() + ", entry " + std::to_string(index) + ": " + s.message());
}

Status TapeStore::Impl::ReadRecords(MDB_txn* txn, const TapeKey& key, std::vector<Interaction>* out) const {
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
  return env_->Check(rc);
}

Result<Tape> TapeStore::ReadTape(const TapeKey& key) const {
  Tape tape{key, {}};
  const LmdbEnv& env = impl_->env();
  Status s = env.Read([&](MDB_txn* txn) {
    MDB_val k = ToVal(key.encoded()), v;
    int rc = mdb_get(txn, env.tables().tapes, &k, &v);
    if (rc == MDB_NOTFOUND) return Status::NotFound("no tape for " + key.Describe());
    if (rc != 0) return env.Check(rc);
    return impl_->ReadRecords(txn, key, &tape.interactions);
  });
  if (!s.ok()) return s;
  return tape;
}

Status TapeStore::LocateEntry(
    const TapeKey& key, const std::function<size_t(size_t length)>& pick,
    const std::function<Status(size_t length, size_t index, std::string_view record)>& use) const {
  const LmdbEnv& env = impl_->env();
  return env.Read([&](MDB_txn* txn) {
    MDB_cursor* cursor = nullptr;
    if (int rc = mdb_cursor_open(txn, env.tables().records, &cursor); rc != 0) return env.Check(rc);
    MDB_val k, v;
    int rc = SeekLastRecord(cursor, key.encoded(), &k, &v);
    mdb_cursor_close(cursor);  // k and v stay valid: they point into the transaction's pages
    if (rc == MDB_NOTFOUND) return Status::NotFound("no tape for " + key.Describe());
    if (rc != 0) return env.Check(rc);
    size_t length = size_t{ReadU32(ToView(k).substr(key.encoded().size()), true)} + 1;
    size_t index = std::min(pick(length), length - 1);
    if (index + 1 != length) {
      std::string record_key = RecordKey(key, static_cast<uint32_t>(index));
      k = ToVal(record_key);
      rc = mdb_get(txn, env.tables().records, &k, &v);
      if (rc == MDB_NOTFOUND) {
        return Status::Corruption("tape " + key.Describe() + " is missing entry " + std::to_string(index) +
                                  " (run `ssm-replay verify`)");
      }
      if (rc != 0) return env.Check(rc);
    }
    return use(length, index, ToView(v));
  });
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

}  // namespace ssm
