// CursorTable: where each tape's replay stands. The n-th identical call for a key gets the n-th
// recorded answer; past the end the last (terminal) one repeats. Cursors are independent per key, so
// parallel waiters on different instances don't disturb each other.
//
// Thread-safe. Sharded by key; a call on a key that already has a cursor takes its shard's lock
// shared and counts with an atomic, so a request thread descheduled there never stalls the others
// (the server runs many more threads than cores). Only a key's first call takes the lock exclusively.
#ifndef SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_
#define SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  // `clock` stamps each key's first call.
  explicit CursorTable(MillisClock clock = SystemMillis) : clock_(std::move(clock)) {}
  CursorTable(const CursorTable&) = delete;
  CursorTable& operator=(const CursorTable&) = delete;
  ~CursorTable();

  // Counts one call for `key` on a tape of `tape_size` (> 0) entries and says which entry answers it.
  CursorStep Next(const TapeKey& key, size_t tape_size, ReplayOrder order = ReplayOrder::kSequence);

  // Calls counted for `key` since its last reset.
  uint64_t Calls(const TapeKey& key) const;

  // Rewinds every cursor.
  void ResetAll();
  // Rewinds one; false when `key` had no cursor (no call since the last reset).
  bool Reset(const TapeKey& key);
  // Rewinds every cursor whose encoded key starts with `encoded_prefix` (e.g.
  // TapeKey::CommandIdPrefix(id): all tapes of one command); returns how many.
  size_t ResetPrefix(const std::string& encoded_prefix);

  // Number of keys with a cursor.
  size_t size() const;

 private:
  static constexpr size_t kShards = 32;
  // A key's count of calls, with the key's bytes right after it: one allocation, so a lookup reads
  // the slot's cache line and then this one (a std::unordered_map<std::string, ...> reads a bucket,
  // the node before, the node and the key's heap bytes).
  struct Cursor;
  struct Slot {
    uint64_t hash = 0;
    Cursor* cursor = nullptr;  // owned by the table; null: an empty slot
  };
  // Open addressing with linear probing: `slots` is empty or a power of two in size, at most half
  // full, so a probe ends at an empty slot.
  struct Shard {
    mutable WriterFirstMutex mu;  // exclusive only to add or remove cursors
    std::vector<Slot> slots GUARDED_BY(mu);
    size_t used GUARDED_BY(mu) = 0;
  };
  Shard& ShardFor(uint64_t hash) const { return shards_[hash % kShards]; }
  // The slot of `encoded` (which hashes to `hash`), or null.
  static Slot* Find(Shard& shard, uint64_t hash, std::string_view encoded) REQUIRES_SHARED(shard.mu);
  // Adds a cursor for `encoded`, which has none.
  static Slot* Add(Shard& shard, uint64_t hash, std::string_view encoded, int64_t now_ms) REQUIRES(shard.mu);
  // Removes the cursor in `slot`, or every cursor.
  static void Remove(Shard& shard, Slot* slot) REQUIRES(shard.mu);
  static void RemoveAll(Shard& shard) REQUIRES(shard.mu);

  const MillisClock clock_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_
