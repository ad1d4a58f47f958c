// CursorTable: where each tape's replay stands. The n-th identical call for a key gets the n-th
// recorded answer; past the end the last (terminal) one repeats. Cursors are independent per key, so
// parallel waiters on different instances don't disturb each other.
//
// Thread-safe. Sharded by key; a call on a key that already has a cursor takes its shard's lock
// shared and counts with an atomic, so a request thread descheduled there never stalls the others
// (the server runs many more threads than cores). Only a key's first call takes the lock exclusively.
//
// Dense, for a cursor on every key of a large store: a cursor is a 16-byte entry in its shard's array
// (no allocation of its own, no key bytes); keys are told apart by 77 bits of their XXH3-128 hash (64
// in the entry's first word, 5 choose the shard, 8 ride in the state word). Two keys share a cursor
// only if those bits agree: over n keys the chance that any two do is at most n^2/2^78, 2.2e-12 for
// the 1M-tape benchmark store (823,830 keys), 3.3e-8 for 100 million keys.
#ifndef SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_
#define SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "proxy/replay/writer_first_mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"
#include "store/tape_key.h"

namespace ssm {

// --order: `sequence` walks the tape; `last` always answers its terminal entry.
enum class ReplayOrder { kSequence, kLast };
Result<ReplayOrder> ParseReplayOrder(const std::string& text);
const char* ReplayOrderName(ReplayOrder order);

struct CursorStep {
  size_t index = 0;   // entry of the tape to answer
  uint64_t call = 0;  // how many calls for this key came before this one (since the last reset)
  int64_t first_call_ms = 0;  // when the key's first call (since the last reset) came: for --shift-times
};

// The step of the call that `call` calls came before, on a tape of `tape_size` entries.
CursorStep StepOf(uint64_t call, size_t tape_size, ReplayOrder order);

// Wall-clock time, Unix epoch milliseconds; injectable for tests.
using MillisClock = std::function<int64_t()>;
int64_t SystemMillis();

class CursorTable {
 public:
  // `clock` stamps each key's first call (to the millisecond within 397 days of the table's creation,
  // clamped beyond: --shift-times on a server up longer shifts by less).
  explicit CursorTable(MillisClock clock = SystemMillis);
  CursorTable(const CursorTable&) = delete;
  CursorTable& operator=(const CursorTable&) = delete;
  ~CursorTable();

  // Counts one call for `key` on a tape of `tape_size` (> 0) entries and says which entry answers it.
  CursorStep Next(const TapeKey& key, size_t tape_size, ReplayOrder order = ReplayOrder::kSequence);

  // Calls counted for `key` since its last reset (counting stops at kMaxCalls; the step stays the
  // tape's last long before).
  uint64_t Calls(const TapeKey& key) const;
  static constexpr uint64_t kMaxCalls = (uint64_t{1} << 20) - 1;

  // Rewinds every cursor.
  void ResetAll();
  // Rewinds one; false when `key` had no cursor (no call since the last reset). The table keeps no
  // keys, so a reset by prefix (one command's tapes) lists them from the store and resets each.
  bool Reset(const TapeKey& key);

  // Number of keys with a cursor.
  size_t size() const;

 private:
  static constexpr int kShardBits = 5;
  static constexpr size_t kShards = size_t{1} << kShardBits;
  // What the table knows of a key: 77 bits of its XXH3-128 hash.
  struct Fingerprint {
    uint64_t key = 0;  // never 0: 0 marks an empty entry
    uint32_t shard = 0;
    uint64_t tag = 0;  // kTagBits more bits, kept in the entry's state
  };
  // One cursor, in place in its shard's array. `state` packs the tag, the calls since the last reset
  // and the first call's time (see cursor_table.cc); Next updates it atomically under the shared lock.
  struct Entry {
    uint64_t key_hash;  // 0: an empty entry
    uint64_t state;
  };
  // Robin-hood open addressing with linear probing: `entries` is null or an anonymous mapping of
  // `capacity` (a power of two) entries, at most 7/8 used; along a probe run, entries sit in the order
  // of their home slots, so a lookup stops at the first entry closer to its home than the key would be.
  struct Shard {
    mutable WriterFirstMutex mu;  // exclusive only to add or remove cursors
    Entry* entries GUARDED_BY(mu) = nullptr;
    size_t capacity GUARDED_BY(mu) = 0;
    size_t used GUARDED_BY(mu) = 0;
  };
  static Fingerprint FingerprintOf(const std::string& encoded);
  // The entry of `fp`, or null.
  static Entry* Find(const Shard& shard, const Fingerprint& fp) REQUIRES_SHARED(shard.mu);
  // Adds an entry of `key_hash` (a fingerprint's `key`, which has none) with `state`; returns it.
  static Entry* Add(Shard& shard, uint64_t key_hash, uint64_t state) REQUIRES(shard.mu);
  static void Grow(Shard& shard) REQUIRES(shard.mu);
  // Removes the entry at index `at`, or every entry.
  static void Remove(Shard& shard, size_t at) REQUIRES(shard.mu);
  static void RemoveAll(Shard& shard) REQUIRES(shard.mu);
  // The state of `fp`'s first call at `now_ms`, and the first call's time in a state.
  uint64_t FirstState(const Fingerprint& fp, int64_t now_ms) const;
  int64_t FirstCallMs(uint64_t state) const;

  const MillisClock clock_;
  const int64_t epoch_ms_;  // first-call times are kept as offsets from this
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_
