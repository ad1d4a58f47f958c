// RecordCache: a bounded cache of tape entries as the store holds them (compressed records), for
// replay over stores with many more tapes than decoded entries fit in memory. A record is several
// times smaller than the interaction it decodes to, so the same memory holds that many more tapes; a
// hit then costs a decode but no walk down the store's B-tree, which over a big store is mostly cache
// and TLB misses.
//
// Each shard is one ring buffer that items are appended to, in order: when it is full, the oldest
// are overwritten (first in, first out). So an insert allocates nothing, items sit packed, and the
// rings are one mapping, in huge pages where the kernel offers them (fewer TLB misses). The index is
// in the same mapping: buckets of kSlotsPerBucket slots, one cache line each, so a lookup reads one
// line of the index and then the item.
//
// Thread-safe. A lookup takes its shard's lock shared; an insert takes it exclusively only if it is
// free at once (a cache fill never makes a call wait).
#ifndef SSM_REPLAY_PROXY_REPLAY_RECORD_CACHE_H_
#define SSM_REPLAY_PROXY_REPLAY_RECORD_CACHE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/replay/writer_first_mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

class RecordCache {
 public:
  // Holds up to `capacity_bytes` of items (key, record and 40 bytes each), and an index a sixteenth
  // that size: a slot per 128 bytes of items, so a full bucket (which forgets the tape whose newest
  // item is oldest) is rare unless items are smaller than that. Each of its 16 shards makes at least one page
  // resident once used (a 2 MiB one with huge pages), so size it to what it may hold. 0: caches
  // nothing.
  explicit RecordCache(size_t capacity_bytes);
  RecordCache(const RecordCache&) = delete;
  RecordCache& operator=(const RecordCache&) = delete;
  ~RecordCache();

  enum class Lookup {
    kNoTape,     // the tape is not cached: `pick` was not called
    kNoEntry,    // the tape is, but not the entry picked: *length and *index are set
    kHit,        // *length, *index and *record are set
  };
  // Looks up the tape whose encoded key is `encoded`: when it is cached, calls `pick` once with its
  // length (> 0) for the index wanted (clamped to length - 1), and copies that entry's record into
  // `*record` when it is cached too.
  Lookup Find(std::string_view encoded, const std::function<size_t(size_t length)>& pick, size_t* length,
              size_t* index, std::string* record) const;

  // Caches the record of entry `index` of the tape `encoded`, which has `length` entries. Skipped when
  // the shard is busy, when the item would take more than an eighth of its shard, or when that entry is
  // already cached. An entry of another length (the tape was recorded again) starts the tape over.
  // Returns whether the record was cached.
  bool Insert(std::string_view encoded, size_t length, size_t index, std::string_view record);

  // Forgets a tape, or every tape (the ring's bytes are reused as new items overwrite them).
  void Erase(std::string_view encoded);
  void Clear();

  // Tapes cached now.
  size_t tapes() const;

 private:
  static constexpr size_t kShards = 16;
  static constexpr size_t kSlotsPerBucket = 8;
  struct ItemHeader;
  // A tape's entry in the index: where its newest item is, which links to its older ones.
  struct Slot {
    uint32_t tag;     // 32 bits of the key's hash, never 0; 0: an empty slot
    uint32_t newest;  // the item's logical offset / 8, modulo 2^32 (see NewestOf)
  };
  // The layout (slots, buckets, ring, capacity) is set by the constructor and never changes; what
  // the pointers point at, and the counters, are guarded by `mu`.
  struct Shard {
    mutable WriterFirstMutex mu;
    Slot* slots PT_GUARDED_BY(mu) = nullptr;  // `buckets` * kSlotsPerBucket of the mapping below; not owned
    uint64_t buckets = 0;
    size_t tapes GUARDED_BY(mu) = 0;        // slots in use
    char* ring PT_GUARDED_BY(mu) = nullptr;  // `capacity` bytes of the mapping below; not owned
    uint64_t capacity = 0;                   // a multiple of 8
    // Items are at logical offsets in [tail, head); offset o sits at ring[o % capacity]. An item never
    // wraps round: one that would is written at the ring's start, after a padding marker.
    uint64_t head GUARDED_BY(mu) = 0;
    uint64_t tail GUARDED_BY(mu) = 0;
  };
  Shard& ShardFor(uint64_t hash) { return shards_[hash % kShards]; }
  const Shard& ShardFor(uint64_t hash) const { return shards_[hash % kShards]; }
  // The slots that may hold a tape whose key hashes to `hash`.
  static Slot* BucketOf(const Shard& shard, uint64_t hash) REQUIRES_SHARED(shard.mu);
  // The logical offset of a used slot's item.
  static uint64_t NewestOf(const Shard& shard, Slot slot) REQUIRES_SHARED(shard.mu);
  // The slot of tape `encoded` (whose key hashes to `hash`), or null; `*newest` (when given) is then
  // the tape's newest item.
  static Slot* SlotOf(const Shard& shard, uint64_t hash, std::string_view encoded,
                      const ItemHeader** newest = nullptr) REQUIRES_SHARED(shard.mu);
  // The item at logical `offset` of `shard` when it is still in the ring and is of tape `encoded`.
  static const ItemHeader* ItemOf(const Shard& shard, uint64_t offset, std::string_view encoded)
      REQUIRES_SHARED(shard.mu);
  // Entry `index` of tape `encoded`, from its `newest` item back through the older ones still in the
  // ring; null when none is.
  static const ItemHeader* EntryOf(const Shard& shard, const ItemHeader* newest, std::string_view encoded,
                                   size_t index) REQUIRES_SHARED(shard.mu);
  // Makes room for `size` bytes at the head, overwriting the oldest items (and emptying their tapes'
  // slots); returns where they go.
  static uint64_t Reserve(Shard& shard, uint64_t size) REQUIRES(shard.mu);
  // Insert's work once it holds the shard: `size` is the item's, padded.
  static bool InsertLocked(Shard& shard, uint64_t hash, std::string_view encoded, size_t length, size_t index,
                           std::string_view record, uint64_t size) REQUIRES(shard.mu);

  // One anonymous mapping for every shard's index and ring (munmap'ed by the deleter).
  struct Unmap {
    size_t bytes;
    void operator()(char* p) const;
  };
  std::unique_ptr<char, Unmap> memory_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_RECORD_CACHE_H_
