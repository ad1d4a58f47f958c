#include "proxy/cursor_table.h"

#include <functional>
#include <mutex>
#include <shared_mutex>

namespace ssm {

Result<ReplayOrder> ParseReplayOrder(const std::string& text) {
  if (text == "sequence") return ReplayOrder::kSequence;
  if (text == "last") return ReplayOrder::kLast;
  return Status::InvalidArgument("unknown --order '" + text + "': use sequence or last");
}

const char* ReplayOrderName(ReplayOrder order) { return order == ReplayOrder::kLast ? "last" : "sequence"; }

CursorTable::Shard& CursorTable::ShardFor(const TapeKey& key) const {
  return shards_[std::hash<std::string>()(key.encoded()) % kShards];
}

CursorStep CursorTable::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  Shard& shard = ShardFor(key);
  uint64_t call = 0;
  bool counted = false;
  {
    std::shared_lock<WriterFirstMutex> lock(shard.mu);
    auto it = shard.calls.find(key.encoded());
    if (it != shard.calls.end()) {
      call = it->second.fetch_add(1, std::memory_order_relaxed);
      counted = true;
    }
  }
  if (!counted) {  // the key's first call since a reset
    std::unique_lock<WriterFirstMutex> lock(shard.mu);
    call = shard.calls.try_emplace(key.encoded(), 0).first->second.fetch_add(1, std::memory_order_relaxed);
  }
  CursorStep step;
  step.call = call;
  size_t last = tape_size == 0 ? 0 : tape_size - 1;
  step.index = order == ReplayOrder::kLast ? last : (call < last ? static_cast<size_t>(call) : last);
  return step;
}

uint64_t CursorTable::Calls(const TapeKey& key) const {
  Shard& shard = ShardFor(key);
  std::shared_lock<WriterFirstMutex> lock(shard.mu);
  auto it = shard.calls.find(key.encoded());
  return it == shard.calls.end() ? 0 : it->second.load(std::memory_order_relaxed);
}

void CursorTable::ResetAll() {
  for (Shard& shard : shards_) {
    std::unique_lock<WriterFirstMutex> lock(shard.mu);
    shard.calls.clear();
  }
}

bool CursorTable::Reset(const TapeKey& key) {
  Shard& shard = ShardFor(key);
  std::unique_lock<WriterFirstMutex> lock(shard.mu);
  return shard.calls.erase(key.encoded()) > 0;
}

size_t CursorTable::ResetPrefix(const std::string& encoded_prefix) {
  size_t n = 0;
  for (Shard& shard : shards_) {
    std::unique_lock<WriterFirstMutex> lock(shard.mu);
    for (auto it = shard.calls.begin(); it != shard.calls.end();) {
      if (it->first.compare(0, encoded_prefix.size(), encoded_prefix) == 0) {
        it = shard.calls.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
  }
  return n;
}

size_t CursorTable::size() const {
  size_t n = 0;
  for (Shard& shard : shards_) {
    std::shared_lock<WriterFirstMutex> lock(shard.mu);
    n += shard.calls.size();
  }
  return n;
}

}  // namespace ssm
