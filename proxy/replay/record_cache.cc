#include "proxy/replay/record_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace ssm {

// Each item: this header, the tape's encoded key, the record, padded to a multiple of 8 bytes.
struct RecordCache::ItemHeader {
  uint32_t size;         // the whole item, padded; 0: a padding marker (the rest of the ring is unused)
  uint32_t key_size;
  uint32_t record_size;
  uint32_t length;       // entries in the tape
  uint32_t index;        // the entry this record is
  uint32_t unused = 0;
  uint64_t hash;         // of the key (to find its slot when overwritten)
  uint64_t older;        // logical offset + 1 of the tape's previous item; 0: none

  std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size}; }
  std::string_view record() const { return {reinterpret_cast<const char*>(this + 1) + key_size, record_size}; }
};

namespace {

constexpr uint64_t kAlign = 8;
constexpr uint64_t kLine = 64;  // a bucket of slots: one cache line
constexpr uint64_t kItemBytesPerSlot = 128;
// A slot keeps 32 bits of an offset / 8, so every item must be within 2^35 bytes of the head.
constexpr uint64_t kMaxRingBytes = uint64_t{1} << 34;
uint64_t RoundUp(uint64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }
uint64_t HashOf(std::string_view key) { return std::hash<std::string_view>()(key); }
uint32_t TagOf(uint64_t hash) {
  uint32_t tag = static_cast<uint32_t>(hash >> 32);  // the shard took the low bits
  return tag != 0 ? tag : 1;
}

}  // namespace

void RecordCache::Unmap::operator()(char* p) const { ::munmap(p, bytes); }

RecordCache::RecordCache(size_t capacity_bytes) : memory_(nullptr, Unmap{0}) {
  static_assert(sizeof(Slot) * kSlotsPerBucket == kLine, "a bucket is one cache line");
  uint64_t ring_bytes = std::min<uint64_t>(capacity_bytes / kShards, kMaxRingBytes) / kLine * kLine;
  if (ring_bytes < 4096) return;  // too small to be worth it: caches nothing
  // A slot per kItemBytesPerSlot of ring: a sixteenth more.
  uint64_t buckets = std::max<uint64_t>(ring_bytes / (kItemBytesPerSlot * kSlotsPerBucket), 4);
  uint64_t index_bytes = buckets * kLine;
  uint64_t per_shard = index_bytes + ring_bytes;
  size_t bytes = per_shard * kShards;
  // Anonymous memory: pages are only taken as items are written. Huge pages cut the TLB misses of
  // random lookups over the rings; each shard's first item then makes a 2 MiB page resident, which is
  // why a caller sizes the cache to what it may hold (serve: no more than the store's data).
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;  // caches nothing: replay still works, from the store
#ifdef MADV_HUGEPAGE
  (void)::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: without it, the same with more TLB misses
#endif
  memory_ = std::unique_ptr<char, Unmap>(static_cast<char*>(p), Unmap{bytes});
  for (size_t i = 0; i < kShards; ++i) {
    char* base = memory_.get() + i * per_shard;
    shards_[i].slots = reinterpret_cast<Slot*>(base);  // zero pages: every slot empty
    shards_[i].buckets = buckets;
    shards_[i].ring = base + index_bytes;
    shards_[i].capacity = ring_bytes;
  }
}

RecordCache::~RecordCache() = default;

RecordCache::Slot* RecordCache::BucketOf(const Shard& shard, uint64_t hash) {
  // The hash's high bits pick the bucket (its low bits picked the shard).
  uint64_t bucket = static_cast<uint64_t>((static_cast<unsigned __int128>(hash) * shard.buckets) >> 64);
  return shard.slots + bucket * kSlotsPerBucket;
}

uint64_t RecordCache::NewestOf(const Shard& shard, Slot slot) {
  // The item is less than 2^35 bytes behind the head, so the head's distance to it fits the 32 bits.
  uint64_t head = shard.head / kAlign;
  return (head - static_cast<uint32_t>(static_cast<uint32_t>(head) - slot.newest)) * kAlign;
}

RecordCache::Slot* RecordCache::SlotOf(const Shard& shard, uint64_t hash, std::string_view encoded,
                                      const ItemHeader** newest) {
  Slot* bucket = BucketOf(shard, hash);
  const uint32_t tag = TagOf(hash);
  for (Slot* slot = bucket; slot != bucket + kSlotsPerBucket; ++slot) {
    if (slot->tag != tag) continue;
    if (const ItemHeader* item = ItemOf(shard, NewestOf(shard, *slot), encoded)) {
      if (newest != nullptr) *newest = item;
      return slot;
    }
  }
  return nullptr;
}

const RecordCache::ItemHeader* RecordCache::ItemOf(const Shard& shard, uint64_t offset, std::string_view encoded) {
  if (offset < shard.tail || offset >= shard.head) return nullptr;  // overwritten since
  const auto* item = reinterpret_cast<const ItemHeader*>(shard.ring + offset % shard.capacity);
  return item->key() == encoded ? item : nullptr;
}

const RecordCache::ItemHeader* RecordCache::EntryOf(const Shard& shard, const ItemHeader* newest,
                                                   std::string_view encoded, size_t index) {
  // A tape's items link newest to oldest, all of one length (Insert starts over on another).
  for (const ItemHeader* item = newest; item != nullptr;
       item = item->older ? ItemOf(shard, item->older - 1, encoded) : nullptr) {
    if (item->index == index) return item;
  }
  return nullptr;
}

RecordCache::Lookup RecordCache::Find(std::string_view encoded, const std::function<size_t(size_t)>& pick,
                                      size_t* length, size_t* index, std::string* record) const {
  uint64_t hash = HashOf(encoded);
  const Shard& shard = ShardFor(hash);
  ReaderLock lock(&shard.mu);
  if (shard.slots == nullptr) return Lookup::kNoTape;
  const ItemHeader* item = nullptr;
  if (SlotOf(shard, hash, encoded, &item) == nullptr) return Lookup::kNoTape;
  *length = item->length;
  *index = std::min(pick(*length), *length - 1);
  const ItemHeader* entry = EntryOf(shard, item, encoded, *index);
  if (entry == nullptr) return Lookup::kNoEntry;
  record->assign(entry->record());
  return Lookup::kHit;
}

uint64_t RecordCache::Reserve(Shard& shard, uint64_t size) {
  uint64_t at = shard.head;
  uint64_t room_to_end = shard.capacity - at % shard.capacity;
  if (room_to_end < size) at += room_to_end;  // the item goes at the ring's start, after a marker
  uint64_t end = at + size;
  // Overwrites the oldest items (and markers) that [head, end) reaches, dropping their index slots.
  while (end - shard.tail > shard.capacity) {
    // The size first: a padding marker may sit in the last 8 bytes, where no whole header fits.
    uint32_t old_size = 0;
    if (shard.tail < shard.head) std::memcpy(&old_size, shard.ring + shard.tail % shard.capacity, sizeof old_size);
    if (old_size != 0) {
      const auto* old = reinterpret_cast<const ItemHeader*>(shard.ring + shard.tail % shard.capacity);
      Slot* bucket = BucketOf(shard, old->hash);
      const Slot evicted{TagOf(old->hash), static_cast<uint32_t>(shard.tail / kAlign)};
      for (Slot* slot = bucket; slot != bucket + kSlotsPerBucket; ++slot) {
        if (slot->tag == evicted.tag && slot->newest == evicted.newest) {  // its tape's newest: the tape goes
          *slot = Slot{0, 0};
          --shard.tapes;
        }
      }
      shard.tail += old_size;
    } else {  // a padding marker, or the empty ring's unused end: up to the ring's start
      shard.tail += shard.capacity - shard.tail % shard.capacity;
    }
  }
  if (at != shard.head) {  // the padding marker: a zero size
    const uint32_t marker = 0;
    std::memcpy(shard.ring + shard.head % shard.capacity, &marker, sizeof marker);
  }
  shard.head = end;
  return at;
}

bool RecordCache::Insert(std::string_view encoded, size_t length, size_t index, std::string_view record) {
  if (memory_ == nullptr || length == 0 || index >= length) return false;
  uint64_t hash = HashOf(encoded);
  Shard& shard = ShardFor(hash);
  uint64_t size = RoundUp(sizeof(ItemHeader) + encoded.size() + record.size());
  if (size > shard.capacity / 8) return false;
  if (!shard.mu.try_lock()) return false;  // nothing throws below
  bool inserted = InsertLocked(shard, hash, encoded, length, index, record, size);
  shard.mu.unlock();
  return inserted;
}

bool RecordCache::InsertLocked(Shard& shard, uint64_t hash, std::string_view encoded, size_t length, size_t index,
                               std::string_view record, uint64_t size) {
  uint64_t older = 0;
  const ItemHeader* newest = nullptr;
  if (const Slot* slot = SlotOf(shard, hash, encoded, &newest); slot != nullptr && newest->length == length) {
    if (EntryOf(shard, newest, encoded, index) != nullptr) return false;  // cached already
    older = NewestOf(shard, *slot) + 1;
  }
  uint64_t at = Reserve(shard, size);
  if (older != 0 && older - 1 < shard.tail) older = 0;  // the room made overwrote it
  auto* item = reinterpret_cast<ItemHeader*>(shard.ring + at % shard.capacity);
  *item = ItemHeader{static_cast<uint32_t>(size), static_cast<uint32_t>(encoded.size()),
                     static_cast<uint32_t>(record.size()), static_cast<uint32_t>(length), static_cast<uint32_t>(index),
                     0, hash, older};
  char* bytes = reinterpret_cast<char*>(item + 1);
  std::memcpy(bytes, encoded.data(), encoded.size());
  std::memcpy(bytes + encoded.size(), record.data(), record.size());
  // The tape's slot (emptied if the room made took its newest item), else an empty one, else the slot
  // of the bucket's tape whose newest item is oldest: the next to be overwritten anyway.
  Slot* slot = SlotOf(shard, hash, encoded);
  if (slot == nullptr) {
    Slot* bucket = BucketOf(shard, hash);
    slot = bucket;
    for (Slot* s = bucket; s != bucket + kSlotsPerBucket && slot->tag != 0; ++s) {
      if (s->tag == 0 || NewestOf(shard, *s) < NewestOf(shard, *slot)) slot = s;
    }
    if (slot->tag == 0) ++shard.tapes;
  }
  *slot = Slot{TagOf(hash), static_cast<uint32_t>(at / kAlign)};
  return true;
}

void RecordCache::Erase(std::string_view encoded) {
  uint64_t hash = HashOf(encoded);
  Shard& shard = ShardFor(hash);
  WriterLock lock(&shard.mu);
  if (shard.slots == nullptr) return;
  if (Slot* slot = SlotOf(shard, hash, encoded)) {
    *slot = Slot{0, 0};
    --shard.tapes;
  }
}

void RecordCache::Clear() {
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    if (shard.tapes != 0) std::memset(shard.slots, 0, shard.buckets * kLine);
    shard.tapes = 0;
    shard.tail = shard.head;
  }
}

size_t RecordCache::tapes() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    ReaderLock lock(&shard.mu);
    n += shard.tapes;
  }
  return n;
}

}  // namespace ssm
