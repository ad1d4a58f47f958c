#include "proxy/tape_player.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "store/tape_store.h"

namespace ssm {

size_t TapeBytes(const Tape& tape) {
  size_t bytes = sizeof(Tape) + tape.key.encoded().size() * 2 + tape.key.canonical_body().size();
  for (const Interaction& i : tape.interactions) {
    bytes += sizeof(Interaction) + i.action.size() + i.request_body.size() + i.response_body.size() +
             i.source.size();
    for (const auto& [name, value] : i.headers) bytes += 64 + name.size() + value.size();
  }
  return bytes;
}

std::vector<TapeKey> RankNearest(const TapeKey& key, std::vector<TapeKey> candidates, size_t limit) {
  auto rank = [&](const TapeKey& k) {
    if (key.is_invocation() && k.is_invocation()) {
      if (k.command_id() == key.command_id() && k.instance_id() == key.instance_id()) return 0;
      if (k.command_id() == key.command_id()) return 1;
      return 2;
    }
    return k.action() == key.action() ? 1 : 3;
  };
  candidates.erase(std::remove(candidates.begin(), candidates.end(), key), candidates.end());
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](const TapeKey& a, const TapeKey& b) { return rank(a) < rank(b); });
  if (candidates.size() > limit) candidates.resize(limit);
  return candidates;
}

StoreTapePlayer::StoreTapePlayer(const TapeStore* store, size_t cache_bytes)
    : store_(store), shard_budget_(std::max<size_t>(cache_bytes / kShards, 1)) {}

StoreTapePlayer::Shard& StoreTapePlayer::ShardFor(const std::string& encoded) {
  return shards_[std::hash<std::string>()(encoded) % kShards];
}

Result<std::shared_ptr<const Tape>> StoreTapePlayer::Find(const TapeKey& key) {
  Shard& shard = ShardFor(key.encoded());
  {
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.index.find(key.encoded());
    if (it != shard.index.end()) {
      shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
      return it->second->tape;
    }
  }
  // Read outside the lock: LMDB readers run in parallel. Two threads missing the cache on the same
  // tape both read it; the second insert is dropped below.
  Result<Tape> read = store_->ReadTape(key);
  if (!read.ok()) return read.status();
  if (read->interactions.empty()) return Status::NotFound("tape " + key.Describe() + " has no interactions");
  loads_.fetch_add(1, std::memory_order_relaxed);
  auto tape = std::make_shared<const Tape>(std::move(read).value());
  size_t bytes = TapeBytes(*tape);
  if (bytes > shard_budget_) return tape;  // too big to cache: serve it, don't evict everything

  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(key.encoded());
  if (it != shard.index.end()) return it->second->tape;
  shard.lru.push_front(Entry{key.encoded(), tape, bytes});
  shard.index.emplace(key.encoded(), shard.lru.begin());
  shard.bytes += bytes;
  while (shard.bytes > shard_budget_ && shard.lru.size() > 1) {
    Entry& victim = shard.lru.back();
    shard.bytes -= victim.bytes;
    shard.index.erase(victim.encoded);
    shard.lru.pop_back();
  }
  return tape;
}

std::vector<TapeKey> StoreTapePlayer::Nearest(const TapeKey& key, size_t limit) {
  // Bounded scans only: a prefix scan on the CommandId, or the first tapes of the action.
  constexpr size_t kScanLimit = 200;
  TapeFilter filter;
  filter.limit = kScanLimit;
  if (key.is_invocation()) {
    filter.command_id = key.command_id();
  } else {
    filter.action = key.action();
  }
  Result<std::vector<TapeInfo>> listed = store_->ListTapes(filter);
  if (!listed.ok()) return {};
  std::vector<TapeKey> keys;
  keys.reserve(listed->size());
  for (const TapeInfo& info : listed.value()) keys.push_back(info.key);
  return RankNearest(key, std::move(keys), limit);
}

void StoreTapePlayer::Invalidate(const TapeKey& key) {
  Shard& shard = ShardFor(key.encoded());
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.index.find(key.encoded());
  if (it == shard.index.end()) return;
  shard.bytes -= it->second->bytes;
  shard.lru.erase(it->second);
  shard.index.erase(it);
}

void StoreTapePlayer::InvalidateAll() {
  for (Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.index.clear();
    shard.lru.clear();
    shard.bytes = 0;
  }
}

uint64_t StoreTapePlayer::tapes_cached() const {
  uint64_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard<std::mutex> lock(shard.mu);
    n += shard.lru.size();
  }
  return n;
}

}  // namespace ssm
