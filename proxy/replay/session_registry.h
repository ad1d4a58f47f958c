// SessionRegistry: the live named sessions (proxy/replay/session.h). A session starts on its first
// use, is dropped after `ttl_ms` without use, and at most `max_sessions` live at once: a new one
// beyond that is refused (the server answers 429 ThrottlingException) until one is deleted or expires.
//
// Thread-safe. Sharded by name; a shard's lock is held only to find (shared), add or drop (exclusive)
// a session, never while a session is used, and never two at once. Expiry is lazy: every use of a
// session checks its own idleness, a new session sweeps all of them at most once a second, and
// listing or counting sweeps first; so no thread is needed, and calls in live sessions never sweep.
#ifndef SSM_REPLAY_PROXY_REPLAY_SESSION_REGISTRY_H_
#define SSM_REPLAY_PROXY_REPLAY_SESSION_REGISTRY_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session.h"
#include "proxy/replay/writer_first_mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"

namespace ssm {

struct SessionLimits {
  size_t max_sessions = 10000;     // serve --max-sessions
  int64_t ttl_ms = 1800 * 1000;    // serve --session-ttl
};

// A session as GET /__replay/sessions shows it.
struct SessionInfo {
  std::string name;
  SessionSettings settings;
  size_t cursors = 0;
  uint64_t calls = 0;
  int64_t started_ms = 0;
  int64_t last_use_ms = 0;
};

class SessionRegistry {
 public:
  SessionRegistry(SessionLimits limits, SessionSettings defaults, MillisClock clock = SystemMillis);
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  // The live session `name` (not empty), started with the default settings on first use (or when the
  // old one expired); marks it used. ResourceExhausted-style InvalidArgument, whose message says why
  // and what to do, when `max_sessions` are live.
  Result<std::shared_ptr<Session>> Use(const std::string& name);
  // The live session `name`, or null (an idle one too: sweeps drop it); does not start, mark or drop
  // it, so it takes the shard's lock shared (fault mode asks on every call of a session).
  std::shared_ptr<Session> Find(const std::string& name);
  // Creates `name` with `settings`, or gives a live one `settings`.
  Result<std::shared_ptr<Session>> Configure(const std::string& name, const SessionSettings& settings);
  // Drops `name`; false when it is not live.
  bool Remove(const std::string& name);
  // The live sessions, by name.
  std::vector<SessionInfo> List();
  // Drops every session idle for the ttl; how many.
  size_t ExpireIdle();

  size_t live();  // after dropping idle sessions
  uint64_t started() const { return started_.load(std::memory_order_relaxed); }
  uint64_t expired() const { return expired_.load(std::memory_order_relaxed); }
  const SessionSettings& defaults() const { return defaults_; }
  const SessionLimits& limits() const { return limits_; }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    WriterFirstMutex mu;  // exclusive only to add or drop sessions
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions GUARDED_BY(mu);
  };
  Shard& ShardFor(const std::string& name) { return shards_[std::hash<std::string>()(name) % kShards]; }
  bool Idle(const Session& session, int64_t now_ms) const { return now_ms - session.last_use_ms() >= limits_.ttl_ms; }
  // The live session `name` in `shard`, or null (also when idle: not dropped here).
  std::shared_ptr<Session> FindLive(Shard& shard, const std::string& name, int64_t now_ms) REQUIRES_SHARED(shard.mu);
  // The live session `name` in `shard` (dropping it when idle), or null.
  std::shared_ptr<Session> FindLocked(Shard& shard, const std::string& name, int64_t now_ms) REQUIRES(shard.mu);
  // Adds session `name`, when a slot is free; null when `max_sessions` are live.
  std::shared_ptr<Session> AddLocked(Shard& shard, const std::string& name, const SessionSettings& settings)
      REQUIRES(shard.mu);
  // Finds or adds `name`: null when none is live and no slot is free.
  std::shared_ptr<Session> FindOrAdd(const std::string& name, const SessionSettings& settings, int64_t now_ms);
  // Sweeps when the last sweep is over a second old.
  void MaybeExpire(int64_t now_ms);
  size_t ExpireIdle(int64_t now_ms);
  Status TooMany() const;

  const SessionLimits limits_;
  const SessionSettings defaults_;
  const MillisClock clock_;
  std::atomic<size_t> live_{0};
  std::atomic<uint64_t> started_{0};
  std::atomic<uint64_t> expired_{0};
  std::atomic<int64_t> last_sweep_ms_{0};
  std::array<Shard, kShards> shards_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_SESSION_REGISTRY_H_
