// TapeStore::Impl: the state of an open TapeStore and the steps its public calls are made of, shared
// by tape_store.cc (opening, listing, stats, verify, compact), tape_store_read.cc,
// tape_store_write.cc and tape_store_dictionary.cc. Internal to store/.
#ifndef SSM_REPLAY_STORE_TAPE_STORE_IMPL_H_
#define SSM_REPLAY_STORE_TAPE_STORE_IMPL_H_

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/dictionary_cache.h"
#include "store/lmdb_env.h"
#include "store/record_codec.h"
#include "store/tape_store.h"

namespace ssm {
namespace tape_store_internal {

inline constexpr char kFormatVersionKey[] = "format_version";
inline constexpr char kCurrentDictionaryKey[] = "dictionary/current";
// Present while records written before the current dictionary wait to be re-encoded with it: the
// records key to go on from (empty: the first). store/FORMAT.md.
inline constexpr char kReencodeFromKey[] = "reencode/from";

std::string U32Bytes(uint32_t v, bool big_endian);
uint32_t ReadU32(std::string_view s, bool big_endian);
// Record keys: the tape key, then the entry's u32 big-endian sequence number (store/FORMAT.md).
std::string RecordKey(const TapeKey& key, uint32_t seq);
// Whether `k` is a record key of the tape whose encoded key is `tape`: another tape's record keys
// never start with this key at this length.
bool IsRecordKeyOf(std::string_view k, std::string_view tape);
bool StartsWith(std::string_view s, std::string_view prefix);

// Calls fn(key, value) for each entry of `dbi` whose key starts with `prefix`, in order, until fn
// returns false. Returns an LMDB return code (MDB_SUCCESS when the scan ended or was stopped).
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

// A record of ReencodeWithoutDictionary's slice: its key, the value read, and the value to put instead
// (empty: leave it).
struct ReencodedRecord {
  std::string key;
  std::string old_value;  // what the slice read, so that a record changed since is left alone
  std::string new_value;
};

}  // namespace tape_store_internal

class TapeStore::Impl {
 public:
  explicit Impl(std::unique_ptr<LmdbEnv> env) : env_(std::move(env)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  LmdbEnv& env() const { return *env_; }
  uint32_t format_version() const { return format_version_; }
  // Records in the store (from the records table's header: no walk).
  uint64_t RecordCount() const;

  // Refuses a store of a newer format; writes the format version into a new store when `may_write`.
  Status CheckFormat(bool may_write);
  // What is wrong with the tape `key` whose summary is `summary`: OK when the summary and every
  // record decode and agree. Adds the records found to `*records`.
  Status CheckTape(MDB_txn* txn, const TapeKey& key, std::string_view summary, uint64_t* records) const;

  // tape_store_dictionary.cc.
  // The dictionary `id`, read from the store the first time; null when the store has none such.
  const std::string* Dictionary(uint32_t id) const;
  DictionaryLookup Lookup() const {
    return [this](uint32_t id) { return Dictionary(id); };
  }
  // The dictionary new records are compressed with; 0 for none.
  uint32_t CurrentDictionaryId() const;

  // tape_store_write.cc. Encoding happens outside the transaction: it keeps the single writer's
  // critical section short, and a retry after the map grew need not encode again.
  EncodedBatch Encode(const WriteBatch& batch, size_t workers) const;
  Status Write(const EncodedBatch& batch);

  // tape_store_reencode.cc: puts each record's new value where it still holds the old one (deleted,
  // then put back in key order), corrects its tape's stored bytes, and moves the resume point to
  // `next` (removes it when empty: the last slice), in one transaction. Returns the records replaced.
  Result<uint64_t> ApplySlice(const std::vector<tape_store_internal::ReencodedRecord>& slice, const std::string& next);
  // Where an unfinished re-encode goes on from (kReencodeFromKey); nullopt when none is pending.
  std::optional<std::string> ReencodeFrom() const;
  // Adds each tape's change (tape key -> bytes) to the stored bytes of its summary.
  Status UpdateStoredBytes(MDB_txn* txn, const std::map<std::string, int64_t>& delta);

  // tape_store_read.cc.
  // Decodes the record of entry `index` of the tape for `key`. Corruption names the tape and the
  // entry; NotSupported (a newer record version) is returned as it is.
  Status DecodeEntry(const TapeKey& key, size_t index, std::string_view record, Interaction* out) const;
  // Reads the tape's records inside `txn` into `*out` (may be null: only checks them). Corruption
  // names the tape and the entry.
  Status ReadRecords(MDB_txn* txn, const TapeKey& key, std::vector<Interaction>* out) const;

 private:
  // Puts into one table during a Write, whose entries come in key order: a key past the table's last
  // one is appended (MDB_APPEND), which leaves full pages behind, where LMDB splits a full page in
  // halves for any other put.
  class PutInOrder {
   public:
    PutInOrder(const LmdbEnv& env, MDB_dbi dbi, std::string last) : env_(env), dbi_(dbi), last_(std::move(last)) {}
    Status Put(MDB_txn* txn, std::string_view key, std::string_view value);

   private:
    const LmdbEnv& env_;
    MDB_dbi dbi_;
    std::string last_;  // no key of the table is greater (deletes may have made it smaller)
  };

  // tape_store_write.cc: the steps of Write for one entry of a batch.
  Status WriteEntry(MDB_txn* txn, const EncodedBatch::Entry& entry, PutInOrder* records, PutInOrder* tapes);
  // The summary the entry's tape starts from: for an append to an existing tape, its summary; else
  // an empty one, after removing the tape (its records and summary) for a replace or delete.
  Result<TapeInfo> StartTape(MDB_txn* txn, const EncodedBatch::Entry& entry);
  Status DeleteRecords(MDB_txn* txn, const TapeKey& key);

  std::unique_ptr<LmdbEnv> env_;
  uint32_t format_version_ = kStoreFormatVersion;
  mutable DictionaryCache dictionaries_;  // filled as decodes ask for them
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_STORE_IMPL_H_
