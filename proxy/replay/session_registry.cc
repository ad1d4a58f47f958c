#include "proxy/replay/session_registry.h"

#include <algorithm>
#include <utility>

namespace ssm {

namespace {
constexpr int64_t kSweepIntervalMs = 1000;
}  // namespace

SessionRegistry::SessionRegistry(SessionLimits limits, SessionSettings defaults, MillisClock clock)
    : limits_(limits), defaults_(std::move(defaults)), clock_(std::move(clock)) {
  last_sweep_ms_ = clock_();
}

std::shared_ptr<Session> SessionRegistry::FindLive(Shard& shard, const std::string& name, int64_t now_ms) {
  auto it = shard.sessions.find(name);
  if (it == shard.sessions.end() || Idle(*it->second, now_ms)) return nullptr;
  return it->second;
}

std::shared_ptr<Session> SessionRegistry::FindLocked(Shard& shard, const std::string& name, int64_t now_ms) {
  auto it = shard.sessions.find(name);
  if (it == shard.sessions.end()) return nullptr;
  if (!Idle(*it->second, now_ms)) return it->second;
  shard.sessions.erase(it);
  live_.fetch_sub(1, std::memory_order_relaxed);
  expired_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

std::shared_ptr<Session> SessionRegistry::AddLocked(Shard& shard, const std::string& name,
                                                    const SessionSettings& settings) {
  if (live_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_sessions) {
    live_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  auto session = std::make_shared<Session>(name, settings, clock_);
  shard.sessions.emplace(name, session);
  started_.fetch_add(1, std::memory_order_relaxed);
  return session;
}

std::shared_ptr<Session> SessionRegistry::FindOrAdd(const std::string& name, const SessionSettings& settings,
                                                    int64_t now_ms) {
  Shard& shard = ShardFor(name);
  {
    ReaderLock lock(&shard.mu);
    if (std::shared_ptr<Session> live = FindLive(shard, name, now_ms)) return live;
  }
  // Only a new session sweeps (idle sessions may hold the slots it needs), so calls in live sessions
  // never pay for a sweep over all of them.
  MaybeExpire(now_ms);
  WriterLock lock(&shard.mu);
  if (std::shared_ptr<Session> live = FindLocked(shard, name, now_ms)) return live;  // added meanwhile
  return AddLocked(shard, name, settings);
}

Result<std::shared_ptr<Session>> SessionRegistry::Use(const std::string& name) {
  const int64_t now_ms = clock_();
  std::shared_ptr<Session> session = FindOrAdd(name, defaults_, now_ms);
  if (!session) return TooMany();
  session->Touch(now_ms);
  return session;
}

std::shared_ptr<Session> SessionRegistry::Find(const std::string& name) {
  Shard& shard = ShardFor(name);
  ReaderLock lock(&shard.mu);
  return FindLive(shard, name, clock_());
}

Result<std::shared_ptr<Session>> SessionRegistry::Configure(const std::string& name,
                                                            const SessionSettings& settings) {
  const int64_t now_ms = clock_();
  std::shared_ptr<Session> session = FindOrAdd(name, settings, now_ms);
  if (!session) return TooMany();
  session->set_settings(settings);
  session->Touch(now_ms);
  return session;
}

bool SessionRegistry::Remove(const std::string& name) {
  Shard& shard = ShardFor(name);
  WriterLock lock(&shard.mu);
  if (shard.sessions.erase(name) == 0) return false;
  live_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

std::vector<SessionInfo> SessionRegistry::List() {
  ExpireIdle();
  std::vector<SessionInfo> out;
  for (Shard& shard : shards_) {
    ReaderLock lock(&shard.mu);
    for (const auto& [name, session] : shard.sessions) {
      out.push_back(SessionInfo{name, session->settings(), session->cursors(), session->calls(),
                                session->started_ms(), session->last_use_ms()});
    }
  }
  std::sort(out.begin(), out.end(), [](const SessionInfo& a, const SessionInfo& b) { return a.name < b.name; });
  return out;
}

size_t SessionRegistry::ExpireIdle() { return ExpireIdle(clock_()); }

size_t SessionRegistry::ExpireIdle(int64_t now_ms) {
  last_sweep_ms_.store(now_ms, std::memory_order_relaxed);
  size_t dropped = 0;
  for (Shard& shard : shards_) {
    WriterLock lock(&shard.mu);
    for (auto it = shard.sessions.begin(); it != shard.sessions.end();) {
      if (Idle(*it->second, now_ms)) {
        it = shard.sessions.erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
  }
  live_.fetch_sub(dropped, std::memory_order_relaxed);
  expired_.fetch_add(dropped, std::memory_order_relaxed);
  return dropped;
}

void SessionRegistry::MaybeExpire(int64_t now_ms) {
  int64_t last = last_sweep_ms_.load(std::memory_order_relaxed);
  if (now_ms - last < kSweepIntervalMs) return;
  // One thread sweeps; the others go on.
  if (last_sweep_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) ExpireIdle(now_ms);
}

size_t SessionRegistry::live() {
  ExpireIdle();
  return live_.load(std::memory_order_relaxed);
}

Status SessionRegistry::TooMany() const {
  return Status::InvalidArgument(
      "Too many live replay sessions: " + std::to_string(limits_.max_sessions) +
      " are open (serve --max-sessions). End sessions you no longer need with DELETE /__replay/sessions/NAME, "
      "or let idle ones expire (serve --session-ttl, " + std::to_string(limits_.ttl_ms / 1000) + " s)");
}

}  // namespace ssm
