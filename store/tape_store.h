// TapeStore: the embedded LMDB store of tapes. See store/FORMAT.md for the on-disk layout.
//
// Thread-safe: any number of threads may read at once; writes are serialised (LMDB has one writer).
// Several processes may open the same directory at once, one writing and others reading. The LMDB
// map grows by itself when full, so users never see MDB_MAP_FULL.
#ifndef SSM_REPLAY_STORE_TAPE_STORE_H_
#define SSM_REPLAY_STORE_TAPE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/encoded_batch.h"
#include "store/status.h"
#include "store/tape.h"
#include "store/tape_page.h"
#include "store/write_batch.h"

namespace ssm {

// The newest store format this build reads and writes; stores from a newer one are refused.
inline constexpr uint32_t kStoreFormatVersion = 1;

// Records a store holds when its writes train its zstd dictionary by themselves (records compress to
// about a third of their size without one; bench/README.md, "Density").
inline constexpr uint64_t kAutoDictionaryRecords = 2000;
// Records a dictionary is trained on, at most, and its size limit.
inline constexpr size_t kDictionarySamples = 20000;
inline constexpr size_t kDictionaryBytes = 112 * 1024;

class AutoDictionary;

struct StoreOptions {
  bool create_if_missing = true;
  bool read_only = false;
  // fsync on every commit. With it, an acknowledged write survives a crash (power loss included);
  // without it, a crash of the process alone loses nothing but an OS crash may lose recent commits.
  bool sync = true;
  uint64_t initial_map_bytes = 64ull << 20;  // grows by doubling when full
  // Once a write leaves the store with this many records and no dictionary, a background thread
  // trains one and re-encodes the records written before it (a recorder's store gets as small as an
  // imported one); 0: never.
  uint64_t auto_dictionary_records = kAutoDictionaryRecords;
};

struct TapeFilter {
  std::optional<std::string> action;
  std::optional<std::string> command_id;   // served by a prefix scan
  bool command_id_is_prefix = false;       // command_id matches every CommandId that starts with it
  std::optional<std::string> instance_id;
  // Recorded-time window, Unix epoch ms, both ends included: a tape matches when one of its
  // interactions may lie in it (first recorded <= until and last recorded >= since).
  std::optional<int64_t> recorded_since_ms;
  std::optional<int64_t> recorded_until_ms;
  size_t limit = 0;                        // 0: no limit
};

struct StoreStats {
  uint32_t format_version = 0;
  uint64_t tapes = 0;
  uint64_t interactions = 0;
  uint64_t raw_bytes = 0;      // serialised interactions before compression
  uint64_t stored_bytes = 0;   // compressed interaction values
  uint64_t file_bytes = 0;     // size of data.mdb
  uint64_t used_bytes = 0;     // of which the pages the tables use (the rest: free pages, reused by later writes)
  uint64_t map_bytes = 0;      // current LMDB map size
  uint32_t dictionary_id = 0;  // 0: no zstd dictionary in use
};

class TapeStore {
 public:
  // Opens (and with create_if_missing, creates) the store in directory `dir`. The directory is
  // created 0700 and its files 0600. NotSupported when the store was written by a newer format.
  static Result<std::unique_ptr<TapeStore>> Open(const std::string& dir, const StoreOptions& options = {});

  TapeStore(const TapeStore&) = delete;
  TapeStore& operator=(const TapeStore&) = delete;
  ~TapeStore();

  const std::string& dir() const;

  // Applies every operation of `batch` in one transaction: all of it lands, or none.
  Status Write(const WriteBatch& batch);

  // Write in two halves, for writers that keep the costly half away from the single writer (import:
  // workers encode the next batches while one is written). Encode serialises and compresses the
  // records of `batch` on the calling thread with the dictionary current then; it needs no
  // transaction, and any number of threads may call it at once. Write(EncodedBatch) then applies the
  // batch as Write(WriteBatch) does (Write(batch) is Write(Encode(batch)), encoding on all cores).
  EncodedBatch Encode(const WriteBatch& batch) const;
  Status Write(const EncodedBatch& batch);

  // NotFound when no tape has this key. Corruption names the tape and entry that failed to decode.
  Result<Tape> ReadTape(const TapeKey& key) const;

  // One entry of a tape, decoding only its record: replay answers a call without decoding the whole
  // tape. The tape's length comes from its last record key (no decoding); `pick` is then called
  // once, inside the read, with that length (> 0) and returns the index wanted (clamped to
  // length - 1). NotFound when the tape has no records; Corruption names the tape and entry. A gap
  // in the records shows only when the missing entry is asked for (`verify` checks every tape).
  struct TapeEntry {
    size_t length = 0;  // entries in the tape
    size_t index = 0;   // the entry read
    Interaction interaction;
  };
  Result<TapeEntry> ReadTapeEntry(const TapeKey& key, const std::function<size_t(size_t length)>& pick) const;

  // ReadTapeEntry in two halves, for a cache of many entries: the entry's stored record, still
  // compressed (~7 times smaller than the interaction it decodes to), picked and failing as
  // ReadTapeEntry does but not decoded; and the decode of such a record, which needs no transaction.
  // A record from this store decodes with it for as long as the store is open (dictionaries are never
  // removed).
  struct StoredEntry {
    size_t length = 0;   // entries in the tape
    size_t index = 0;    // the entry read
    std::string record;  // its stored bytes (store/FORMAT.md)
  };
  // `*out` is reused (its record's capacity kept), so a caller reading in a loop allocates nothing.
  Status ReadStoredEntry(const TapeKey& key, const std::function<size_t(size_t length)>& pick,
                         StoredEntry* out) const;
  // Decodes into `*out`, reusing its strings' capacity. Corruption names the tape and entry.
  Status DecodeStoredEntry(const TapeKey& key, size_t index, std::string_view record, Interaction* out) const;

  // Tapes matching `filter`, in key order.
  Result<std::vector<TapeInfo>> ListTapes(const TapeFilter& filter = {}) const;
  // The keys of the tapes whose encoded key starts with `encoded_prefix` (TapeKey::CommandIdPrefix,
  // ActionPrefix), in key order, at most `limit` (0: all): one seek, no summary decoded.
  Result<std::vector<TapeKey>> ListTapeKeys(std::string_view encoded_prefix, size_t limit = 0) const;
  // One page of the tapes `query` selects, in key order, from one seek (tape_store_page.cc).
  Result<TapePage> ListTapePage(const TapePageQuery& query) const;

  // Decodes every record of every tape. `on_bad` is called once per tape with its first problem;
  // `on_progress` (may be empty) with (tapes done, tapes total). Returns the number of bad tapes,
  // or a Status for an error that stopped the walk.
  Result<uint64_t> Verify(const std::function<void(const std::string& tape, const Status&)>& on_bad,
                          const std::function<void(uint64_t, uint64_t)>& on_progress = {}) const;

  Result<StoreStats> Stats() const;
  // Bytes of the store's pages in use (its B-trees, records and keys), from LMDB's header: at once,
  // where Stats walks every tape. What a cache of the whole store could hold at most.
  uint64_t DataBytes() const;

  // Writes a compacted copy of the store to a new directory `out_dir`: every table appended in key
  // order, so every page is full (tape_store_compact.cc). store/compact_in_place.h swaps one in.
  Status CopyCompact(const std::string& out_dir) const;
  // The size data.mdb would have as such a copy, estimated from the size of every entry (a walk of
  // the whole store, no decoding): what writes among existing keys and free pages cost is the file's
  // size beyond it.
  Result<uint64_t> KeyOrderedBytes() const;

  // Trains a zstd dictionary (at most `max_bytes`) from up to `max_samples` stored records and makes
  // it the one new records are compressed with. Records written before stay readable.
  Result<uint32_t> TrainDictionary(size_t max_bytes = kDictionaryBytes, size_t max_samples = 100000);
  // The same from `samples`, serialised interactions (store/record_codec.h SerializeInteraction), for a
  // writer that then re-encodes the older records (ReencodeWithoutDictionary): the store notes that
  // they are due, so that the next writer to open it finishes the job should this one stop first.
  // (TrainDictionary leaves the older records as they are.)
  Result<uint32_t> InstallDictionary(const std::vector<std::string>& samples, size_t max_bytes = kDictionaryBytes);
  // Up to `max_samples` stored records, serialised, spread over the whole store.
  Result<std::vector<std::string>> SampleRecords(size_t max_samples) const;
  // The dictionary new records are compressed with; 0 for none.
  uint32_t DictionaryId() const;
  // Compresses every record stored without a dictionary again with the current one, a slice per
  // transaction (a record changed meanwhile is left alone), until done or `*stop` (may be null) is
  // set. Returns the records re-encoded; 0 when the store has no dictionary.
  Result<uint64_t> ReencodeWithoutDictionary(const std::atomic<bool>* stop = nullptr);
  // Whether records written before the current dictionary still wait to be re-encoded with it (a
  // re-encode stopped midway; the next writer to open the store resumes it).
  bool ReencodePending() const;
  // Waits until the automatic dictionary (StoreOptions::auto_dictionary_records) that writes started
  // is trained and the records before it re-encoded; returns at once when none is under way. The
  // Status of that work (it is retried after the next write when it failed).
  Status WaitForBackgroundWork();

 private:
  class Impl;
  explicit TapeStore(std::unique_ptr<Impl> impl);
  // Finds the record of the entry `pick` chooses and passes it to `use` inside the read transaction,
  // where its bytes are valid. `use` returns OK or the error the read then fails with.
  Status LocateEntry(const TapeKey& key, const std::function<size_t(size_t length)>& pick,
                     const std::function<Status(size_t length, size_t index, std::string_view record)>& use) const;
  std::unique_ptr<Impl> impl_;
  std::unique_ptr<AutoDictionary> auto_dictionary_;  // null when off; stopped before impl_ closes
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_STORE_H_
