#include "proxy/replay/cursor_table.h"

#include <functional>

namespace ssm {

Result<ReplayOrder> ParseReplayOrder(const std::string& text) {
  if (text == "sequence") return ReplayOrder::kSequence;
  if (text == "last") return ReplayOrder::kLast;
  return Status::InvalidArgument("unknown --order '" + text + "': use sequence or last");
}

const char* ReplayOrderName(ReplayOrder order) { return order == ReplayOrder::kLast ? "last" : "sequence"; }

CursorTable::Shard& CursorTable::ShardFor(const std::string& encoded) const {
  return shards_[std::hash<std::string>()(encoded) % kShards];
}

bool CursorTable::CountExisting(Shard& shard, const std::string& encoded, uint64_t* call) {
  ReaderLock lock(&shard.mu);
  auto it = shard.cursors.find(encoded);
  if (it == shard.cursors.end()) return false;
  *call = it->second.calls.fetch_add(1, std::memory_order_relaxed);
  return true;
}

CursorStep CursorTable::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  const std::string& encoded = key.encoded();
  Shard& shard = ShardFor(encoded);
  uint64_t call = 0;
  if (!CountExisting(shard, encoded, &call)) {  // the key's first call since a reset
    WriterLock lock(&shard.mu);
    call = shard.cursors[encoded].calls.fetch_add(1, std::memory_order_relaxed);
  }
  CursorStep step;
  step.call = call;
  size_t last = tape_size == 0 ? 0 : tape_size - 1;
  step.index = order == ReplayOrder::kLast ? last : (call < last ? static_cast<size_t>(call) : last);
  return step;
}

uint64_t CursorTable::Calls(const TapeKey& key) const {
  Shard& shard = ShardFor(key.encoded());
  ReaderLock lock(&shard.mu);
  auto it = shard.cursors.find(key.encoded());
  return it == shard.cursors.end() ? 0 : it->second.calls.load(std::memory_order_relaxed);
}

void CursorTable::ResetAll() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    shard.cursors.clear();
  }
}

bool CursorTable::Reset(const TapeKey& key) {
  Shard& shard = ShardFor(key.encoded());
  WriterLock lock(&shard.mu);
  return shard.cursors.erase(key.encoded()) != 0;
}

size_t CursorTable::ResetPrefix(const std::string& encoded_prefix) {
  size_t n = 0;
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    for (auto it = shard.cursors.begin(); it != shard.cursors.end();) {
      if (it->first.compare(0, encoded_prefix.size(), encoded_prefix) == 0) {
        it = shard.cursors.erase(it);
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
  for (const Shard& shard : shards_) {
    ReaderLock lock(&shard.mu);
    n += shard.cursors.size();
  }
  return n;
}

}  // namespace ssm
