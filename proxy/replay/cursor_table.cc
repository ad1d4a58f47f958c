#include "proxy/replay/cursor_table.h"

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <new>
#include <utility>

#define XXH_INLINE_ALL  // header-only: XXH3 inlined here, no library to link
#include <xxhash.h>

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

namespace {

// A state word, from the top: the fingerprint's tag (kTagBits), the calls since the last reset
// (kCallBits) and the first call's time as milliseconds from the table's epoch biased by kTimeBias
// (covers +-397 days; clamped beyond).
constexpr int kTagBits = 8;
constexpr int kCallBits = 20;
constexpr int kTimeBits = 64 - kTagBits - kCallBits;
constexpr uint64_t kOneCall = uint64_t{1} << kTimeBits;
constexpr uint64_t kTimeMask = kOneCall - 1;
constexpr int64_t kTimeBias = int64_t{1} << (kTimeBits - 1);
static_assert(CursorTable::kMaxCalls == (uint64_t{1} << kCallBits) - 1, "kMaxCalls fills the call bits");

uint64_t TagOf(uint64_t state) { return state >> (kCallBits + kTimeBits); }
uint64_t CallsOf(uint64_t state) { return (state >> kTimeBits) & CursorTable::kMaxCalls; }
uint64_t LoadState(const uint64_t* state) { return __atomic_load_n(state, __ATOMIC_RELAXED); }

// Counts one call in `*state` (up to kMaxCalls) and returns the state before it.
uint64_t CountCall(uint64_t* state) {
  uint64_t before = LoadState(state);
  while (CallsOf(before) < CursorTable::kMaxCalls &&
         !__atomic_compare_exchange_n(state, &before, before + kOneCall, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  return before;
}

// An entry's home slot in a shard of `mask` + 1 entries, and how far the entry at `slot` sits past it.
size_t HomeOf(uint64_t key_hash, size_t mask) { return static_cast<size_t>(key_hash) & mask; }
size_t DistanceOf(uint64_t key_hash, size_t slot, size_t mask) { return (slot - HomeOf(key_hash, mask)) & mask; }

// Entry arrays are anonymous mappings, not malloc'd: a grown-out or reset array goes back to the
// kernel at once (malloc would keep it in an arena), and pages of a new one cost nothing until used.
template <typename T>
T* MapZeroed(size_t n) {
  void* memory = mmap(nullptr, n * sizeof(T), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  return static_cast<T*>(memory);
}
template <typename T>
void Unmap(T* array, size_t n) {
  if (array != nullptr) munmap(array, n * sizeof(T));
}

}  // namespace

CursorTable::CursorTable(MillisClock clock) : clock_(std::move(clock)), epoch_ms_(clock_()) {}

CursorTable::~CursorTable() { ResetAll(); }  // the entry arrays are mappings, not memory freed with the object

CursorTable::Fingerprint CursorTable::FingerprintOf(const std::string& encoded) {
  const XXH128_hash_t hash = XXH3_128bits(encoded.data(), encoded.size());
  Fingerprint fp;
  fp.key = hash.low64 != 0 ? hash.low64 : 1;
  fp.shard = static_cast<uint32_t>(hash.high64 >> (64 - kShardBits));
  fp.tag = (hash.high64 >> (64 - kShardBits - kTagBits)) & ((uint64_t{1} << kTagBits) - 1);
  return fp;
}

uint64_t CursorTable::FirstState(const Fingerprint& fp, int64_t now_ms) const {
  const int64_t biased = std::clamp<int64_t>(now_ms - epoch_ms_, -kTimeBias, kTimeBias - 1) + kTimeBias;
  return fp.tag << (kCallBits + kTimeBits) | static_cast<uint64_t>(biased);
}

int64_t CursorTable::FirstCallMs(uint64_t state) const {
  return epoch_ms_ + static_cast<int64_t>(state & kTimeMask) - kTimeBias;
}

CursorTable::Entry* CursorTable::Find(const Shard& shard, const Fingerprint& fp) {
  if (shard.entries == nullptr) return nullptr;
  const size_t mask = shard.capacity - 1;
  for (size_t i = HomeOf(fp.key, mask), distance = 0;; i = (i + 1) & mask, ++distance) {
    Entry& entry = shard.entries[i];
    if (entry.key_hash == 0 || DistanceOf(entry.key_hash, i, mask) < distance) return nullptr;
    if (entry.key_hash == fp.key && TagOf(LoadState(&entry.state)) == fp.tag) return &entry;
  }
}

CursorTable::Entry* CursorTable::Add(Shard& shard, uint64_t key_hash, uint64_t state) {
  if ((shard.used + 1) * 8 > shard.capacity * 7) Grow(shard);
  const size_t mask = shard.capacity - 1;
  Entry moving{key_hash, state};
  Entry* added = nullptr;
  // Robin hood: the entry being placed takes the slot of the first one closer to its home, which moves
  // on in turn.
  for (size_t i = HomeOf(key_hash, mask), distance = 0;; i = (i + 1) & mask, ++distance) {
    Entry& entry = shard.entries[i];
    if (entry.key_hash == 0) {
      entry = moving;
      ++shard.used;
      return added != nullptr ? added : &entry;
    }
    const size_t its_distance = DistanceOf(entry.key_hash, i, mask);
    if (its_distance < distance) {
      std::swap(entry, moving);
      if (added == nullptr) added = &entry;
      distance = its_distance;
    }
  }
}

void CursorTable::Grow(Shard& shard) {
  Entry* old = shard.entries;
  const size_t old_capacity = shard.capacity;
  shard.capacity = std::max<size_t>(64, old_capacity * 2);
  shard.entries = MapZeroed<Entry>(shard.capacity);
  shard.used = 0;
  for (size_t i = 0; i < old_capacity; ++i) {
    if (old[i].key_hash != 0) Add(shard, old[i].key_hash, old[i].state);
  }
  Unmap(old, old_capacity);
}

void CursorTable::Remove(Shard& shard, size_t at) {
  // Backward shift: the entries after the hole that sit past their home move up one, so the table
  // reads as if the removed key had never been added.
  const size_t mask = shard.capacity - 1;
  for (size_t next = (at + 1) & mask;; at = next, next = (next + 1) & mask) {
    const Entry& entry = shard.entries[next];
    if (entry.key_hash == 0 || DistanceOf(entry.key_hash, next, mask) == 0) break;
    shard.entries[at] = entry;
  }
  shard.entries[at] = Entry{};
  --shard.used;
}

void CursorTable::RemoveAll(Shard& shard) {
  Unmap(shard.entries, shard.capacity);
  shard.entries = nullptr;
  shard.capacity = 0;
  shard.used = 0;
}

CursorStep CursorTable::Next(const TapeKey& key, size_t tape_size, ReplayOrder order) {
  const Fingerprint fp = FingerprintOf(key.encoded());
  Shard& shard = shards_[fp.shard];
  uint64_t before = 0;
  bool counted = false;
  {
    ReaderLock lock(&shard.mu);
    if (Entry* entry = Find(shard, fp)) {
      before = CountCall(&entry->state);
      counted = true;
    }
  }
  if (!counted) {  // the key's first call since a reset
    const uint64_t first = FirstState(fp, clock_());
    WriterLock lock(&shard.mu);
    Entry* entry = Find(shard, fp);
    if (entry == nullptr) entry = Add(shard, fp.key, first);
    before = CountCall(&entry->state);
  }
  CursorStep step = StepOf(CallsOf(before), tape_size, order);
  step.first_call_ms = FirstCallMs(before);
  return step;
}

uint64_t CursorTable::Calls(const TapeKey& key) const {
  const Fingerprint fp = FingerprintOf(key.encoded());
  Shard& shard = shards_[fp.shard];
  ReaderLock lock(&shard.mu);
  const Entry* entry = Find(shard, fp);
  return entry == nullptr ? 0 : CallsOf(LoadState(&entry->state));
}

void CursorTable::ResetAll() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    RemoveAll(shard);
  }
}

bool CursorTable::Reset(const TapeKey& key) {
  const Fingerprint fp = FingerprintOf(key.encoded());
  Shard& shard = shards_[fp.shard];
  WriterLock lock(&shard.mu);
  Entry* entry = Find(shard, fp);
  if (entry == nullptr) return false;
  Remove(shard, static_cast<size_t>(entry - shard.entries));
  return true;
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
