// TapePlayer: the capability modes use to answer from tapes. An interface, so modes are tested with
// fakes; StoreTapePlayer is the real one over a TapeStore. It keeps a bounded cache of tapes whose
// entries are decoded one at a time, as calls ask for them, and behind it a bigger-reaching cache of
// entries as stored (compressed, RecordCache), so a server over a store of millions of tapes stays
// small and answers a call by decoding one record (nothing is loaded at start).
#ifndef SSM_REPLAY_PROXY_REPLAY_TAPE_PLAYER_H_
#define SSM_REPLAY_PROXY_REPLAY_TAPE_PLAYER_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/replay/cache_gate.h"
#include "proxy/replay/nearest_tapes.h"
#include "proxy/replay/record_cache.h"
#include "proxy/replay/writer_first_mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"
#include "store/tape.h"
#include "store/tape_key.h"
#include "store/tape_store.h"

namespace ssm {

// One entry of a tape, as TapePlayer::Play returns it.
struct PlayedEntry {
  std::shared_ptr<const Interaction> entry;  // never null; valid for as long as the caller holds it
  size_t length = 0;                         // entries in the tape (> 0)
  size_t index = 0;                          // which one `entry` is
};

class TapePlayer {
 public:
  virtual ~TapePlayer() = default;

  // The entry of the tape for `key` that `pick` chooses: `pick` is called once with the tape's length
  // (> 0) and returns an index (clamped to length - 1), e.g. a replay cursor's next step. NotFound
  // when no tape has the key (`pick` is then not called); another error when the store fails
  // (`pick` may have been called). This default finds the whole tape; StoreTapePlayer decodes only
  // the entry picked.
  virtual Result<PlayedEntry> Play(const TapeKey& key, const std::function<size_t(size_t length)>& pick);

  // The tape recorded for `key`: NotFound when there is none; another error when the store fails
  // (e.g. Corruption naming the tape). A returned tape has at least one interaction and stays valid
  // for as long as the caller holds it.
  virtual Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) = 0;

  // Up to `limit` recorded keys close to `key` (for a miss message), nearest first, as RankNearest
  // (nearest_tapes.h) orders them; action keys come with their canonical body.
  virtual std::vector<TapeKey> Nearest(const TapeKey& key, size_t limit) = 0;

  // Drops cached copies so the next Find reads the store (after a recording, an import or a reset).
  virtual void Invalidate(const TapeKey& key) = 0;
  virtual void InvalidateAll() = 0;

  // Tapes currently held in memory decoded (whole or in part), tapes with entries held compressed,
  // and reads from the store so far (a whole tape, or one entry) (for metrics).
  virtual uint64_t tapes_cached() const = 0;
  virtual uint64_t records_cached() const { return 0; }
  virtual uint64_t tape_loads() const = 0;
  // Whether calls go past the decoded entries' cache, its hit ratio being too low to pay (CacheGate).
  virtual bool decoded_cache_bypassed() const { return false; }
};

class StoreTapePlayer : public TapePlayer {
 public:
  // `store` is not owned and must outlive the player. `cache_bytes` bounds the decoded entries held
  // (approximately: bodies, headers and request bytes plus overhead), tapes not used lately dropped
  // first. `record_cache_bytes` sizes the cache of stored records behind it (RecordCache; 0: none).
  explicit StoreTapePlayer(const TapeStore* store, size_t cache_bytes = 16 << 20, size_t record_cache_bytes = 0);
  StoreTapePlayer(const StoreTapePlayer&) = delete;
  StoreTapePlayer& operator=(const StoreTapePlayer&) = delete;

  // A cached tape answers without touching the store when the entry picked was decoded before (and the
  // gate lets the call look: CacheGate), with a
  // decode when its record is cached, and with one record read otherwise. A tape not cached costs one
  // read of its last record key (its length) and of the entry picked. When the store's copy of a
  // cached tape changed length (another process recorded it), the entry comes from the store's copy
  // and the cached one is replaced.
  Result<PlayedEntry> Play(const TapeKey& key, const std::function<size_t(size_t length)>& pick) override;
  // Whole tapes: every entry decoded (and cached).
  Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) override;
  std::vector<TapeKey> Nearest(const TapeKey& key, size_t limit) override;
  void Invalidate(const TapeKey& key) override;
  void InvalidateAll() override;
  uint64_t tapes_cached() const override;
  uint64_t records_cached() const override { return records_.tapes(); }
  uint64_t tape_loads() const override { return loads_.load(std::memory_order_relaxed); }
  bool decoded_cache_bypassed() const override { return gate_.bypassing(); }

 private:
  // A list of tapes per shard, each with its share of the byte budget, so concurrent misses on
  // different tapes rarely contend. A tape is evicted whole; its entries are decoded one by one.
  static constexpr size_t kShards = 16;
  // Once a shard is (nearly: within 1/8 of its budget) full, only every kAdmitEvery-th tape not
  // cached yet gets in (an entry of a tape already cached always does). When calls spread over more
  // tapes than the cache holds, each admission evicts an entry about as likely to be asked again as
  // the one admitted, so admitting all would only add the work of inserting and freeing to every
  // miss; a tape asked for often still gets in after a few misses.
  static constexpr uint64_t kAdmitEvery = 8;
  struct CachedTape {
    CachedTape(std::string encoded_key, size_t length, size_t overhead)
        : encoded(std::move(encoded_key)), entries(length), bytes(overhead) {}
    CachedTape(const CachedTape&) = delete;
    CachedTape& operator=(const CachedTape&) = delete;

    // Read first: a hit on a tape already marked writes nothing other cores share.
    void MarkReferenced() const {
      if (!referenced.load(std::memory_order_relaxed)) referenced.store(true, std::memory_order_relaxed);
    }

    const std::string encoded;
    std::vector<std::shared_ptr<const Interaction>> entries;  // one per entry of the tape; null: not decoded
    size_t bytes = 0;                                         // what the decoded ones hold, plus overhead
    // Set by hits (under the shared lock); eviction gives a tape with it set a second chance. A new
    // tape starts without: were it set, a full shard's eviction would clear every bit in one pass and
    // evict the tape it cleared first, which is the one hit most often.
    mutable std::atomic<bool> referenced{false};
  };
  // Hits take the shard's lock shared and touch nothing shared but the tape's `referenced` bit: every
  // call of a poller hits the same tape, and with many more request threads than cores, a thread
  // descheduled while holding an exclusive lock would stall every other one behind it. So the list is
  // in insertion order and eviction is second chance (CLOCK), an approximation of least recently used
  // that needs no reordering on a hit. A miss caches what it read (and evicts) only if it gets the
  // lock exclusively at once. A CachedTape's `entries` are written only under the exclusive lock.
  struct Shard {
    mutable WriterFirstMutex mu;
    std::list<CachedTape> lru GUARDED_BY(mu);  // newest (or given a second chance) first
    std::unordered_map<std::string, std::list<CachedTape>::iterator> index GUARDED_BY(mu);
    size_t bytes GUARDED_BY(mu) = 0;
    std::atomic<uint64_t> candidates{0};  // misses on tapes not cached that found the shard full (admission)
  };
  Shard& ShardFor(const std::string& encoded);

  // Play's steps, in order.
  // What the decoded cache says about a call (if the gate lets the call look): the entry, when it holds
  // it; else whether what is read goes into it (admission). Sets `*picked` when it holds the tape but
  // not the entry.
  struct DecodedLookup {
    std::optional<PlayedEntry> hit;
    bool admit = true;
  };
  DecodedLookup LookInDecodedCache(Shard& shard, const std::string& encoded,
                                   const std::function<size_t(size_t)>& pick, std::optional<size_t>* picked);
  // The stored record of the entry `pick_once` picks, from the record cache or else the store (then
  // cached there). `known`: a cache had the tape, so if the store has it no more it was deleted and
  // the caches forget it.
  Status ReadRecord(const TapeKey& key, const std::function<size_t(size_t)>& pick_once, bool known,
                    TapeStore::StoredEntry* stored);
  // Decodes `stored`: into a new entry when it may be cached (`admit`), else into this thread's spare.
  Result<std::shared_ptr<const Interaction>> Decode(const TapeKey& key, const TapeStore::StoredEntry& stored,
                                                    bool admit) const;
  // Puts a decoded entry in the cache when admitted, small enough and the shard is free at once;
  // returns the entry to answer with (the cached one, if another thread got there first).
  PlayedEntry KeepDecoded(Shard& shard, const std::string& encoded, size_t length, size_t index,
                          std::shared_ptr<const Interaction> entry, bool admit);

  // Puts `entry` (entry `index` of a tape of `length` entries) in the cache, unless an entry decoded
  // by another thread got there first; returns the one cached. Evicts down to the budget, never that
  // tape. Needs shard.mu held exclusively.
  std::shared_ptr<const Interaction> Insert(Shard& shard, const std::string& encoded, size_t length, size_t index,
                                            std::shared_ptr<const Interaction> entry) REQUIRES(shard.mu);
  // Evicts tapes until the shard is within its budget, or only `keep` is left. Needs shard.mu held
  // exclusively.
  void EvictToBudget(Shard& shard, const CachedTape* keep) REQUIRES(shard.mu);
  void Erase(Shard& shard, const std::string& encoded) REQUIRES(shard.mu);

  const TapeStore* store_;
  size_t shard_budget_;
  std::array<Shard, kShards> shards_;
  RecordCache records_;
  CacheGate gate_;  // in front of shards_
  std::atomic<uint64_t> loads_{0};
};

// Approximate memory a decoded tape, or one decoded entry, holds.
size_t TapeBytes(const Tape& tape);
size_t InteractionBytes(const Interaction& interaction);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_TAPE_PLAYER_H_
