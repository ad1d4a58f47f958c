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
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

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
};

class CursorTable {
 public:
  CursorTable() = default;
  CursorTable(const CursorTable&) = delete;
  CursorTable& operator=(const CursorTable&) = delete;

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
  // A key's calls since its last reset; counted under the shard's shared lock.
  struct Count {
    mutable std::atomic<uint64_t> calls{0};
  };
  struct Shard {
    mutable WriterFirstMutex mu;  // exclusive only to add or remove cursors
    std::unordered_map<std::string, Count> cursors GUARDED_BY(mu);  // by encoded key
  };
  Shard& ShardFor(const std::string& encoded) const;
  // Counts a call for `encoded` if it has a cursor; false when it has none.
  static bool CountExisting(Shard& shard, const std::string& encoded, uint64_t* call);

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_CURSOR_TABLE_H_
