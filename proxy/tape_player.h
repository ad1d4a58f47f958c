// TapePlayer: the capability modes use to answer from tapes. An interface, so modes are tested with
// fakes; StoreTapePlayer is the real one over a TapeStore, with a bounded cache of decoded tapes so
// the server stays small over a store of millions of tapes (nothing is loaded at start).
#ifndef SSM_REPLAY_PROXY_TAPE_PLAYER_H_
#define SSM_REPLAY_PROXY_TAPE_PLAYER_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/status.h"
#include "store/tape.h"
#include "store/tape_key.h"

namespace ssm {

class TapeStore;

class TapePlayer {
 public:
  virtual ~TapePlayer() = default;

  // The tape recorded for `key`: NotFound when there is none; another error when the store fails
  // (e.g. Corruption naming the tape). A returned tape has at least one interaction and stays valid
  // for as long as the caller holds it.
  virtual Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) = 0;

  // Up to `limit` recorded keys close to `key` (for a miss message), nearest first: for
  // GetCommandInvocation, the same CommandId and instance with another PluginName, then the same
  // CommandId on other instances; for other actions, tapes of the same action.
  virtual std::vector<TapeKey> Nearest(const TapeKey& key, size_t limit) = 0;

  // Drops cached copies so the next Find reads the store (after a recording, an import or a reset).
  virtual void Invalidate(const TapeKey& key) = 0;
  virtual void InvalidateAll() = 0;

  // Tapes currently decoded in memory, and tape loads from the store so far (for metrics).
  virtual uint64_t tapes_cached() const = 0;
  virtual uint64_t tape_loads() const = 0;
};

// Orders `candidates` for a miss on `key` as TapePlayer::Nearest documents, dropping `key` itself.
std::vector<TapeKey> RankNearest(const TapeKey& key, std::vector<TapeKey> candidates, size_t limit);

class StoreTapePlayer : public TapePlayer {
 public:
  // `store` is not owned and must outlive the player. `cache_bytes` bounds the decoded tapes held
  // (approximately: bodies, headers and request bytes plus overhead).
  explicit StoreTapePlayer(const TapeStore* store, size_t cache_bytes = 16 << 20);
  StoreTapePlayer(const StoreTapePlayer&) = delete;
  StoreTapePlayer& operator=(const StoreTapePlayer&) = delete;

  Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) override;
  std::vector<TapeKey> Nearest(const TapeKey& key, size_t limit) override;
  void Invalidate(const TapeKey& key) override;
  void InvalidateAll() override;
  uint64_t tapes_cached() const override;
  uint64_t tape_loads() const override { return loads_.load(std::memory_order_relaxed); }

 private:
  // An LRU per shard, each with its share of the byte budget, so concurrent hits on different tapes
  // rarely contend.
  static constexpr size_t kShards = 16;
  struct Entry {
    std::string encoded;
    std::shared_ptr<const Tape> tape;
    size_t bytes;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<std::string, std::list<Entry>::iterator> index;
    size_t bytes = 0;
  };
  Shard& ShardFor(const std::string& encoded);

  const TapeStore* store_;
  size_t shard_budget_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> loads_{0};
};

// Approximate memory a decoded tape holds.
size_t TapeBytes(const Tape& tape);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_TAPE_PLAYER_H_
