#include "proxy/replay/cursor_table.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <new>

namespace ssm {

Result<ReplayOrder> ParseReplayOrder(const std::string& text) {
  if (text == "sequence") return ReplayOrder::kSequence;
  if (text == "last") return ReplayOrder::kLast;
  return Status::InvalidArgument("unknown --order '" + text + "': use sequence or last");
}

const char* ReplayOrderName(ReplayOrder order) { return order == ReplayOrder::kLast ? "last" : "sequence"; }

CursorStep StepOf(uint64_t call, size_t tape_size, ReplayOrder order) {
  CursorStep step;
  step.call = call;
  size_t last = tape_size == 0 ? 0 : tape_size - 1;
  step.index = order == ReplayOrder::kLast ? last : (call < last ? static_cast<size_t>(call) : last);
  return step;
}

int64_t SystemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct CursorTable::Cursor {
  std::atomic<uint64_t> calls{0};  // since the key's last reset
  int64_t first_call_ms = 0;       // when the first of them came
  uint32_t size = 0;               // of the key, whose bytes follow

  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), size}; }

  static Cursor* New(std::string_view key, int64_t now_ms) {
    void* memory = ::operator new(sizeof(Cursor) + key.size());
    auto* cursor = new (memory) Cursor;
    cursor->first_call_ms = now_ms;
    cursor->size = static_cast<uint32_t>(key.size());
    std::memcpy(reinterpret_cast<char*>(cursor + 1), key.data(), key.size());
    return cursor;
  }
  static void Delete(Cursor* cursor) {
    cursor->~Cursor();
    ::operator delete(cursor);
  }
};

namespace {

uint64_t HashOf(std::string_view encoded) { return std::hash<std::string_view>()(encoded); }
// Where a hash's probe starts in a table of `mask` + 1 slots (the low bits chose the shard).
size_t HomeOf(uint64_t hash, size_t mask) { return static_cast<size_t>(hash >> 8) & mask; }

}  // namespace

CursorTable::~CursorTable() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    RemoveAll(shard);
  }
}

CursorTable::Slot* CursorTable::Find(Shard& shard, uint64_t hash, std::string_view encoded) {
  if (shard.slots.empty()) return nullptr;
  const size_t mask = shard.slots.size() - 1;
  for (size_t i = HomeOf(hash, mask);; i = (i + 1) & mask) {
    Slot& slot = shard.slots[i];
    if (slot.cursor == nullptr) return nullptr;
    if (slot.hash == hash && slot.cursor->key() == encoded) return &slot;
  }
}

CursorTable::Slot* CursorTable::Add(Shard& shard, uint64_t hash, std::string_view encoded, int64_t now_ms) {
  if ((shard.used + 1) * 2 > shard.slots.size()) {  // grow: twice the slots, every cursor placed again
    std::vector<Slot> old(std::max<size_t>(16, shard.slots.size() * 2));
    old.swap(shard.slots);
    const size_t mask = shard.slots.size() - 1;
    for (const Slot& slot : old) {
      if (slot.cursor == nullptr) continue;
      size_t i = HomeOf(slot.hash, mask);
      while (shard.slots[i].cursor != nullptr) i = (i + 1) & mask;
      shard.slots[i] = slot;
    }
  }
  const size_t mask = shard.slots.size() - 1;
  size_t i = HomeOf(hash, mask);
  while (shard.slots[i].cursor != nullptr) i = (i + 1) & mask;
  shard.slots[i] = Slot{hash, Cursor::New(encoded, now_ms)};
  ++shard.used;
  return &shard.slots[i];
}

void CursorTable::Remove(Shard& shard, Slot* slot) {
  Cursor::Delete(slot->cursor);
  *slot = Slot{};
  --shard.used;
  // Backward shift: later slots of the same probe run move up into the hole, so no probe that passed
  // through it now stops short of its key.
  const size_t mask = shard.slots.size() - 1;
  size_t hole = static_cast<size_t>(slot - shard.slots.data());
  for (size_t j = (hole + 1) & mask; shard.slots[j].cursor != nullptr; j = (j + 1) & mask) {
    size_t home = HomeOf(shard.slots[j].hash, mask);
    bool reachable_from_hole = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
    if (reachable_from_hole) continue;  // its probe starts after the hole: it stays
    shard.slots[hole] = shard.slots[j];
    shard.slots[j] = Slot{};
    hole = j;
  }
}

void CursorTable::RemoveAll(Shard& shard) {
  for (Slot& slot : shard.slots) {
    if (slot.cursor != nullptr) Cursor::Delete(slot.cursor);
  }
  shard.slots.clear();
  shard.used = 0;
}

CursorStep CursorTable::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  const std::string& encoded = key.encoded();
  const uint64_t hash = HashOf(encoded);
  Shard& shard = ShardFor(hash);
  uint64_t call = 0;
  int64_t first_call_ms = 0;
  bool counted = false;
  {
    ReaderLock lock(&shard.mu);
    if (Slot* slot = Find(shard, hash, encoded)) {
      call = slot->cursor->calls.fetch_add(1, std::memory_order_relaxed);
      first_call_ms = slot->cursor->first_call_ms;
      counted = true;
    }
  }
  if (!counted) {  // the key's first call since a reset
    const int64_t now_ms = clock_();
    WriterLock lock(&shard.mu);
    Slot* slot = Find(shard, hash, encoded);
    if (slot == nullptr) slot = Add(shard, hash, encoded, now_ms);
    call = slot->cursor->calls.fetch_add(1, std::memory_order_relaxed);
    first_call_ms = slot->cursor->first_call_ms;
  }
  CursorStep step = StepOf(call, tape_size, order);
  step.first_call_ms = first_call_ms;
  return step;
}

uint64_t CursorTable::Calls(const TapeKey& key) const {
  const uint64_t hash = HashOf(key.encoded());
  Shard& shard = ShardFor(hash);
  ReaderLock lock(&shard.mu);
  Slot* slot = Find(shard, hash, key.encoded());
  return slot == nullptr ? 0 : slot->cursor->calls.load(std::memory_order_relaxed);
}

void CursorTable::ResetAll() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    RemoveAll(shard);
  }
}

bool CursorTable::Reset(const TapeKey& key) {
  const uint64_t hash = HashOf(key.encoded());
  Shard& shard = ShardFor(hash);
  WriterLock lock(&shard.mu);
  Slot* slot = Find(shard, hash, key.encoded());
  if (slot == nullptr) return false;
  Remove(shard, slot);
  return true;
}

size_t CursorTable::ResetPrefix(const std::string& encoded_prefix) {
  size_t n = 0;
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    // Removing shifts later slots back: look at the same slot again after a removal.
    for (size_t i = 0; i < shard.slots.size();) {
      Slot& slot = shard.slots[i];
      if (slot.cursor != nullptr && slot.cursor->key().substr(0, encoded_prefix.size()) == encoded_prefix) {
        Remove(shard, &slot);
        ++n;
      } else {
        ++i;
      }
    }
  }
  return n;
}

size_t CursorTable::size() const {
  size_t n = 0;
  for (Shard& shard : shards_) {
    ReaderLock lock(&shard.mu);
    n += shard.used;
  }
  return n;
}

}  // namespace ssm
