#include "proxy/replay/tape_player.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <iterator>
#include <optional>
#include <utility>

namespace ssm {

size_t InteractionBytes(const Interaction& i) {
  // The control block of make_shared, the strings' bytes and the header pairs' allocation overhead.
  size_t bytes = 32 + sizeof(Interaction) + i.action.size() + i.request_body.size() + i.response_body.size() +
                 i.source.size();
  for (const auto& [name, value] : i.headers) bytes += 64 + name.size() + value.size();
  return bytes;
}

size_t TapeBytes(const Tape& tape) {
  size_t bytes = sizeof(Tape) + tape.key.encoded().size() * 2 + tape.key.canonical_body().size();
  for (const Interaction& i : tape.interactions) bytes += InteractionBytes(i);
  return bytes;
}

Result<PlayedEntry> TapePlayer::Play(const TapeKey& key, const std::function<size_t(size_t)>& pick) {
  Result<std::shared_ptr<const Tape>> found = Find(key);
  if (!found.ok()) return found.status();
  const std::vector<Interaction>& entries = found.value()->interactions;
  if (entries.empty()) return Status::NotFound("tape " + key.Describe() + " has no interactions");
  size_t index = std::min(pick(entries.size()), entries.size() - 1);
  // Aliasing: the entry keeps its tape alive, nothing is copied.
  return PlayedEntry{std::shared_ptr<const Interaction>(found.value(), &entries[index]), entries.size(), index};
}

namespace {

// What a cached tape costs besides its decoded entries: its key (twice: list node and index), the
// slots, and the list and hash nodes.
size_t CachedTapeOverhead(const std::string& encoded, size_t length) {
  return 128 + 2 * encoded.size() + length * sizeof(std::shared_ptr<const Interaction>);
}

// An entry no cache will keep (most, over a big store) is decoded into this thread's spare, reused
// once no caller holds it any more: its strings keep their capacity, so such a call allocates
// nothing for the entry.
std::shared_ptr<Interaction> ReusableInteraction() {
  constexpr size_t kMaxKeptBytes = 64 << 10;  // a spare grown bigger by a rare big body is not kept
  thread_local std::shared_ptr<Interaction> spare;
  // Only this thread hands out copies, so a count of 1 stays 1. The fence pairs with the release of
  // the last other holder's count, so its reads of the entry happen before it is overwritten.
  if (spare && spare.use_count() == 1 && spare->response_body.capacity() <= kMaxKeptBytes) {
    std::atomic_thread_fence(std::memory_order_acquire);
  } else {
    spare = std::make_shared<Interaction>();
  }
  return spare;
}

}  // namespace

StoreTapePlayer::StoreTapePlayer(const TapeStore* store, size_t cache_bytes, size_t record_cache_bytes)
    : store_(store), shard_budget_(std::max<size_t>(cache_bytes / kShards, 1)), records_(record_cache_bytes) {}

StoreTapePlayer::Shard& StoreTapePlayer::ShardFor(const std::string& encoded) {
  return shards_[std::hash<std::string>()(encoded) % kShards];
}

std::shared_ptr<const Interaction> StoreTapePlayer::Insert(Shard& shard, const std::string& encoded, size_t length,
                                                           size_t index, std::shared_ptr<const Interaction> entry) {
  auto it = shard.index.find(encoded);
  if (it == shard.index.end()) {
    size_t overhead = CachedTapeOverhead(encoded, length);
    shard.lru.emplace_front(encoded, length, overhead);
    it = shard.index.emplace(encoded, shard.lru.begin()).first;
    shard.bytes += overhead;
  } else {
    CachedTape& tape = *it->second;
    tape.referenced.store(true, std::memory_order_relaxed);
    if (tape.entries.size() != length) {  // the store's copy changed since: start over from it
      shard.bytes -= tape.bytes;
      tape.entries.assign(length, nullptr);
      tape.bytes = CachedTapeOverhead(encoded, length);
      shard.bytes += tape.bytes;
    }
  }
  CachedTape& tape = *it->second;
  std::shared_ptr<const Interaction>& slot = tape.entries[index];
  if (!slot) {
    size_t bytes = InteractionBytes(*entry);
    slot = std::move(entry);
    tape.bytes += bytes;
    shard.bytes += bytes;
  }
  std::shared_ptr<const Interaction> cached = slot;
  EvictToBudget(shard, &tape);
  return cached;
}

// Second chance: the tape at the back goes, unless it was used since it last got there; then its bit is
// cleared and it goes to the front. Each turn clears a bit or evicts, so this ends.
void StoreTapePlayer::EvictToBudget(Shard& shard, const CachedTape* keep) {
  while (shard.bytes > shard_budget_ && shard.lru.size() > 1) {
    auto victim = std::prev(shard.lru.end());
    if (&*victim == keep || victim->referenced.exchange(false, std::memory_order_relaxed)) {
      shard.lru.splice(shard.lru.begin(), shard.lru, victim);
      continue;
    }
    shard.bytes -= victim->bytes;
    shard.index.erase(victim->encoded);
    shard.lru.pop_back();
  }
}

void StoreTapePlayer::Erase(Shard& shard, const std::string& encoded) {
  auto it = shard.index.find(encoded);
  if (it == shard.index.end()) return;
  shard.bytes -= it->second->bytes;
  shard.lru.erase(it->second);
  shard.index.erase(it);
}

Result<PlayedEntry> StoreTapePlayer::Play(const TapeKey& key, const std::function<size_t(size_t)>& pick) {
  const std::string& encoded = key.encoded();
  Shard& shard = ShardFor(encoded);
  std::optional<size_t> picked;  // what `pick` answered, once called
  DecodedLookup decoded = LookInDecodedCache(shard, encoded, pick, &picked);
  if (decoded.hit) return *std::move(decoded.hit);
  const bool known = picked.has_value();
  // Whichever of the record cache and the store knows the tape's length first calls `pick`.
  auto pick_once = [&](size_t length) {
    if (!picked) picked = pick(length);
    return *picked;
  };
  thread_local TapeStore::StoredEntry stored;  // reused by this thread's calls: most need one record
  Status read = ReadRecord(key, pick_once, known, &stored);
  if (!read.ok()) return read;
  Result<std::shared_ptr<const Interaction>> entry = Decode(key, stored, decoded.admit);
  if (!entry.ok()) return entry.status();
  return KeepDecoded(shard, encoded, stored.length, stored.index, std::move(entry).value(), decoded.admit);
}

StoreTapePlayer::DecodedLookup StoreTapePlayer::LookInDecodedCache(Shard& shard, const std::string& encoded,
                                                                   const std::function<size_t(size_t)>& pick,
                                                                   std::optional<size_t>* picked) {
  DecodedLookup result;
  const CacheGate::Ticket ticket = gate_.Next();
  if (!ticket.consult) {
    result.admit = false;
    return result;
  }
  ReaderLock lock(&shard.mu);
  auto it = shard.index.find(encoded);
  if (it != shard.index.end()) {
    const CachedTape& tape = *it->second;
    tape.MarkReferenced();
    size_t length = tape.entries.size();
    size_t index = std::min(pick(length), length - 1);
    if (tape.entries[index]) {
      result.hit = PlayedEntry{tape.entries[index], length, index};
    } else {
      *picked = index;
    }
  } else if (shard.bytes > shard_budget_ - shard_budget_ / 8) {
    // (Nearly) full: admission decides now, so a tape left out costs no second lock.
    result.admit = shard.candidates.fetch_add(1, std::memory_order_relaxed) % kAdmitEvery == 0;
  }
  if (ticket.probe) gate_.Probed(result.hit.has_value());
  return result;
}

Status StoreTapePlayer::ReadRecord(const TapeKey& key, const std::function<size_t(size_t)>& pick_once, bool known,
                                   TapeStore::StoredEntry* stored) {
  // Both outside the decoded cache's lock: LMDB readers run in parallel. Two threads missing on the
  // same entry both read it; the caches keep the first.
  const std::string& encoded = key.encoded();
  RecordCache::Lookup cached = records_.Find(encoded, pick_once, &stored->length, &stored->index, &stored->record);
  if (cached == RecordCache::Lookup::kHit) return Status::OK();
  Status read = store_->ReadStoredEntry(key, pick_once, stored);
  if (!read.ok()) {
    if (read.IsNotFound() && (known || cached != RecordCache::Lookup::kNoTape)) Invalidate(key);
    return read;
  }
  loads_.fetch_add(1, std::memory_order_relaxed);
  records_.Insert(encoded, stored->length, stored->index, stored->record);
  return Status::OK();
}

Result<std::shared_ptr<const Interaction>> StoreTapePlayer::Decode(const TapeKey& key,
                                                                   const TapeStore::StoredEntry& stored,
                                                                   bool admit) const {
  std::shared_ptr<Interaction> decoded = admit ? std::make_shared<Interaction>() : ReusableInteraction();
  Status s = store_->DecodeStoredEntry(key, stored.index, stored.record, decoded.get());
  if (!s.ok()) return s;
  return std::shared_ptr<const Interaction>(std::move(decoded));
}

PlayedEntry StoreTapePlayer::KeepDecoded(Shard& shard, const std::string& encoded, size_t length, size_t index,
                                         std::shared_ptr<const Interaction> entry, bool admit) {
  // Left out by admission, or too big to cache (it would evict everything): served, not cached.
  if (!admit || InteractionBytes(*entry) + CachedTapeOverhead(encoded, length) > shard_budget_) {
    return PlayedEntry{std::move(entry), length, index};
  }
  // Only if the shard is free now: waiting would hold up this call, and (the lock letting a waiting
  // writer in first) every hit on the shard behind it, for what is only a cache fill.
  if (shard.mu.try_lock()) {
    entry = Insert(shard, encoded, length, index, std::move(entry));
    shard.mu.unlock();
  }
  return PlayedEntry{std::move(entry), length, index};
}

Result<std::shared_ptr<const Tape>> StoreTapePlayer::Find(const TapeKey& key) {
  const std::string& encoded = key.encoded();
  Shard& shard = ShardFor(encoded);
  {
    ReaderLock lock(&shard.mu);
    auto it = shard.index.find(encoded);
    if (it != shard.index.end()) {
      const CachedTape& cached = *it->second;
      cached.MarkReferenced();
      bool whole = std::all_of(cached.entries.begin(), cached.entries.end(),
                               [](const auto& e) { return e != nullptr; });
      if (whole) {
        auto tape = std::make_shared<Tape>(Tape{key, {}});
        tape->interactions.reserve(cached.entries.size());
        for (const auto& e : cached.entries) tape->interactions.push_back(*e);
        return std::shared_ptr<const Tape>(std::move(tape));
      }
    }
  }
  Result<Tape> read = store_->ReadTape(key);
  if (read.ok() && read->interactions.empty()) {
    read = Status::NotFound("tape " + key.Describe() + " has no interactions");
  }
  if (!read.ok()) {
    if (read.status().IsNotFound()) {
      WriterLock lock(&shard.mu);
      Erase(shard, encoded);
    }
    return read.status();
  }
  loads_.fetch_add(1, std::memory_order_relaxed);
  auto tape = std::make_shared<const Tape>(std::move(read).value());
  size_t length = tape->interactions.size();
  if (TapeBytes(*tape) + CachedTapeOverhead(encoded, length) > shard_budget_) return tape;  // too big to cache
  WriterLock lock(&shard.mu);
  for (size_t i = 0; i < length; ++i) {
    Insert(shard, encoded, length, i, std::shared_ptr<const Interaction>(tape, &tape->interactions[i]));
  }
  return tape;
}

std::vector<TapeKey> StoreTapePlayer::Nearest(const TapeKey& key, size_t limit) {
  return FindNearestTapes(*store_, key, limit);
}

void StoreTapePlayer::Invalidate(const TapeKey& key) {
  records_.Erase(key.encoded());
  Shard& shard = ShardFor(key.encoded());
  WriterLock lock(&shard.mu);
  Erase(shard, key.encoded());
}

void StoreTapePlayer::InvalidateAll() {
  records_.Clear();
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    shard.index.clear();
    shard.lru.clear();
    shard.bytes = 0;
  }
}

uint64_t StoreTapePlayer::tapes_cached() const {
  uint64_t n = 0;
  for (const Shard& shard : shards_) {
    ReaderLock lock(&shard.mu);
    n += shard.lru.size();
  }
  return n;
}

}  // namespace ssm
