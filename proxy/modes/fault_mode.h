// FaultMode: a decorator (Hoverfly-style middleware) that injects the faults of a FaultSpec in front
// of another mode (replay or auto): throttling, 500s, dropped connections, added delay, and
// InvocationDoesNotExist for the first polls of each tape. Calls not faulted go to the inner mode.
//
// Determinism: every decision for a request (fault kind, delay) is a pure function of
//   (seed, the request's tape key, the key's position p, the call's number n at that position)
// where p is how many calls the request's session's cursor has counted for the key (the default
// session's CursorTable::Calls, or a named session's Session::Calls: since its start or last reset)
// and n how many calls for the key in that session arrived at that position before this one. No
// random stream is shared between requests or sessions, so the same seed and the same calls per key
// give the same faults whatever the interleaving of calls on different keys, the other sessions'
// calls (parallel tests each see their own faults) and the thread scheduling. Calls on the same key
// are taken in the order they arrive, as the tape cursor takes them. A reset rewinds the decisions
// with the cursor, except for a key that has not yet played any entry (all its calls so far faulted):
// its count at position 0 goes on.
#ifndef SSM_REPLAY_PROXY_MODES_FAULT_MODE_H_
#define SSM_REPLAY_PROXY_MODES_FAULT_MODE_H_

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "proxy/modes/fault_counter.h"
#include "proxy/modes/fault_spec.h"
#include "proxy/modes/mode.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session_registry.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

// What FaultMode decided for one call (exposed for tests).
enum class FaultKind { kNone, kThrottle, kError500, kReset, kNotFound };
const char* FaultKindName(FaultKind kind);  // "throttle", "error500", "reset", "notfound"; "none"

// The fault answers, shaped as AWS sends them.
HttpResponse ThrottlingResponse();           // 400 {"__type":"ThrottlingException","message":"Rate exceeded"}
HttpResponse InternalServerErrorResponse();  // 500 {"__type":"InternalServerError","Message":...}
HttpResponse InvocationDoesNotExistResponse();  // 400 {"__type":"InvocationDoesNotExist"}

class FaultMode : public Mode {
 public:
  // `inner` answers the calls not faulted. `cursors` (the default session's) and `sessions` (the
  // named ones) are what `inner` walks, only read (a key's position); null means positions are
  // unknown (every call counts at position 0). `faults` counts injected faults by kind
  // (ssm_replay_faults_injected_total); may be null. None owned; all must outlive the mode.
  FaultMode(Mode* inner, const CursorTable* cursors, FaultCounter* faults, FaultSpec spec, uint64_t seed,
            SessionRegistry* sessions = nullptr);
  FaultMode(const FaultMode&) = delete;
  FaultMode& operator=(const FaultMode&) = delete;

  const char* name() const override { return inner_->name(); }
  ModeAnswer Handle(const SsmRequest& request) override;
  bool ReadsRequestHeaders() const override { return inner_->ReadsRequestHeaders(); }
  void AddHealth(nlohmann::json* health) const override { inner_->AddHealth(health); }
  void AddMetrics(std::string* text) const override { inner_->AddMetrics(text); }

  const FaultSpec& spec() const { return spec_; }
  uint64_t seed() const { return seed_; }

 private:
  struct Decision {
    FaultKind kind = FaultKind::kNone;
    int64_t delay_ms = 0;
  };
  struct KeyState {
    uint64_t position = 0;        // the cursor's call count when last seen
    uint64_t calls = 0;           // calls at that position so far
    uint64_t notfound_given = 0;  // InvocationDoesNotExist answered at position 0
  };
  struct Shard {
    Mutex mu;
    // By session name, '\n' (never in a name) and encoded key; "" for the default session.
    std::unordered_map<std::string, KeyState> keys GUARDED_BY(mu);
    size_t prune_at GUARDED_BY(mu) = 1024;  // size at which ended sessions' states are dropped
  };
  static constexpr size_t kShards = 16;

  Decision Decide(const SsmRequest& request);
  // How many calls the request's session's cursor has counted for its key.
  uint64_t Position(const SsmRequest& request) const;
  // Drops the states of named sessions that are no longer live, once the shard has doubled.
  void PruneEndedSessions(Shard& shard) REQUIRES(shard.mu);

  Mode* inner_;
  const CursorTable* cursors_;
  FaultCounter* faults_;
  const FaultSpec spec_;
  const uint64_t seed_;
  SessionRegistry* const sessions_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_FAULT_MODE_H_
