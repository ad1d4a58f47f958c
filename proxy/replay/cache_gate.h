// CacheGate: whether a cache in front of a slower path earns the cost of looking into it.
//
// The player's cache of decoded entries answers a hit for a fraction of what decoding costs, but over
// a big store read at random (many more tapes asked for than it holds) nearly every lookup misses, and
// the misses are not free: cold hash-table nodes, plus inserting and evicting (bench/README.md). So the
// gate samples the cache's hit ratio on one call in `probe_every` (counted per thread) and, while it is
// under `min_hit_ratio`, lets only those probe calls look into the cache (and fill it). The probes go on measuring it: over calls spread across many keys, a cache's
// hit ratio depends on how much of them it holds, not on how often it admits, so once the calls narrow
// to tapes the cache can hold, the probes fill it, see hits, and the gate opens again.
//
// Thread-safe. A call costs a thread-local count; a probe, two relaxed atomic adds.
#ifndef SSM_REPLAY_PROXY_REPLAY_CACHE_GATE_H_
#define SSM_REPLAY_PROXY_REPLAY_CACHE_GATE_H_

#include <atomic>
#include <cstdint>

namespace ssm {

class CacheGate {
 public:
  struct Options {
    uint32_t probe_every = 16;  // one call in this many (per thread) is a probe
    uint32_t window = 1024;     // probes per decision
    // Under this hit ratio the cache is bypassed: about where a lookup's cost and a hit's saving meet.
    double min_hit_ratio = 1.0 / 8;
  };

  CacheGate() : CacheGate(Options{}) {}
  explicit CacheGate(Options options);
  CacheGate(const CacheGate&) = delete;
  CacheGate& operator=(const CacheGate&) = delete;

  // What the next call does: `consult` says whether it looks into the cache (and may fill it); a
  // call with `probe` set must report what the lookup found with Probed.
  struct Ticket {
    bool consult = true;
    bool probe = false;
  };
  Ticket Next();
  void Probed(bool hit);

  // Whether calls bypass the cache now (for metrics and tests).
  bool bypassing() const { return bypass_.load(std::memory_order_relaxed); }

 private:
  const Options options_;
  std::atomic<bool> bypass_{false};
  std::atomic<uint64_t> probes_{0};  // in the current window
  std::atomic<uint64_t> hits_{0};
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_CACHE_GATE_H_
