#include "proxy/replay/session_registry.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TapeKey Key(const std::string& instance) { return TapeKey::ForInvocation("cmd", instance, std::nullopt).value(); }

// A clock tests move by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(1'700'000'000'000);
  MillisClock fn() const {
    auto n = now;
    return [n] { return n->load(); };
  }
  void Advance(int64_t ms) { *now += ms; }
};

SessionLimits Limits(size_t max_sessions, int64_t ttl_ms) {
  SessionLimits limits;
  limits.max_sessions = max_sessions;
  limits.ttl_ms = ttl_ms;
  return limits;
}

TEST_CASE("each session walks a tape from its start, apart from the others", "[session]") {
  SessionRegistry registry(Limits(10, 60000), SessionSettings{});
  std::shared_ptr<Session> a = registry.Use("a").value();
  std::shared_ptr<Session> b = registry.Use("b").value();
  CHECK(a->Next(Key("i-1"), 3).index == 0);
  CHECK(a->Next(Key("i-1"), 3).index == 1);
  CHECK(b->Next(Key("i-1"), 3).index == 0);
  CHECK(a->Next(Key("i-1"), 3).index == 2);
  CHECK(a->Next(Key("i-1"), 3).index == 2);  // the last repeats
  CHECK(a->Next(Key("i-2"), 3, ReplayOrder::kLast).index == 2);
  CHECK(registry.Use("a").value() == a);  // the same session again
  CHECK(a->calls() == 5);
  CHECK(a->cursors() == 2);
  CHECK(b->Calls(Key("i-1")) == 1);
}

TEST_CASE("resetting or deleting one session leaves the others where they were", "[session]") {
  SessionRegistry registry(Limits(10, 60000), SessionSettings{});
  std::shared_ptr<Session> a = registry.Use("a").value();
  std::shared_ptr<Session> b = registry.Use("b").value();
  for (int i = 0; i < 2; ++i) {
    a->Next(Key("i-1"), 5);
    b->Next(Key("i-1"), 5);
  }
  b->Next(Key("i-2"), 5);
  CHECK(a->ResetAll() == 1);
  CHECK(a->Next(Key("i-1"), 5).index == 0);
  CHECK(b->Next(Key("i-1"), 5).index == 2);
  CHECK(b->ResetPrefix(TapeKey::CommandIdPrefix("cmd")) == 2);
  CHECK(b->Next(Key("i-2"), 5).index == 0);

  CHECK(registry.Remove("a"));
  CHECK_FALSE(registry.Remove("a"));
  CHECK(registry.Find("a") == nullptr);
  CHECK(registry.Find("b") == b);
  CHECK(registry.Use("a").value()->Next(Key("i-1"), 5).index == 0);  // a new session, from the start
  CHECK(b->Next(Key("i-2"), 5).index == 1);
}

TEST_CASE("at most max-sessions live: a new one is refused, saying why", "[session]") {
  SessionRegistry registry(Limits(3, 60000), SessionSettings{});
  for (const char* name : {"a", "b", "c"}) REQUIRE(registry.Use(name).ok());
  Result<std::shared_ptr<Session>> refused = registry.Use("d");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().message().find("--max-sessions") != std::string::npos);
  CHECK(refused.status().message().find("DELETE /__replay/sessions/NAME") != std::string::npos);
  CHECK(registry.Use("a").ok());  // live ones go on
  CHECK(registry.live() == 3);
  CHECK(registry.Remove("b"));
  CHECK(registry.Use("d").ok());
  CHECK(registry.started() == 4);
}

TEST_CASE("idle sessions expire after the ttl, and a new session may take their place", "[session]") {
  FakeClock clock;
  SessionRegistry registry(Limits(2, 10000), SessionSettings{}, clock.fn());
  std::shared_ptr<Session> a = registry.Use("a").value();
  a->Next(Key("i-1"), 4);
  REQUIRE(registry.Use("b").ok());
  clock.Advance(6000);
  REQUIRE(registry.Use("b").ok());  // b used, a idle
  clock.Advance(5000);
  CHECK(registry.Find("a") == nullptr);
  CHECK(registry.Find("b") != nullptr);
  CHECK(registry.live() == 1);
  CHECK(registry.expired() == 1);
  // a comes back as a new session, from the start.
  std::shared_ptr<Session> again = registry.Use("a").value();
  CHECK(again != a);
  CHECK(again->Next(Key("i-1"), 4).index == 0);
  // Both idle: a new session takes a slot an idle one held, though no sweep ran since.
  clock.Advance(10000);
  CHECK(registry.Use("c").ok());
  CHECK(registry.expired() == 3);
}

TEST_CASE("a session's first call on a tape is stamped, for shift-times", "[session]") {
  FakeClock clock;
  SessionRegistry registry(Limits(2, 60000), SessionSettings{}, clock.fn());
  std::shared_ptr<Session> a = registry.Use("a").value();
  const int64_t first = *clock.now;
  CHECK(a->Next(Key("i-1"), 4).first_call_ms == first);
  clock.Advance(5000);
  CHECK(a->Next(Key("i-1"), 4).first_call_ms == first);
  CHECK(a->Next(Key("i-2"), 4).first_call_ms == first + 5000);
  a->ResetAll();
  CHECK(a->Next(Key("i-1"), 4).first_call_ms == first + 5000);
  CursorTable table(clock.fn());
  CHECK(table.Next(Key("i-1"), 4).first_call_ms == first + 5000);
}

TEST_CASE("settings: defaults on first use, configured per session", "[session]") {
  SessionSettings defaults;
  defaults.polls = PollPolicy::kCollapse;
  SessionRegistry registry(Limits(2, 60000), defaults);
  CHECK(registry.Use("a").value()->settings().polls == PollPolicy::kCollapse);
  SessionSettings final_polls;
  final_polls.polls = PollPolicy::kFinal;
  final_polls.shift_times = true;
  std::shared_ptr<Session> b = registry.Configure("b", final_polls).value();
  CHECK(b->settings().polls == PollPolicy::kFinal);
  CHECK(registry.Use("b").value()->settings().shift_times);
  CHECK_FALSE(registry.Configure("c", final_polls).ok());  // over max-sessions
  std::vector<SessionInfo> listed = registry.List();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].name == "a");
  CHECK(listed[1].settings.polls == PollPolicy::kFinal);
}

TEST_CASE("a session remembers the tapes it recorded on, once each", "[session]") {
  SessionRegistry registry(Limits(2, 60000), SessionSettings{});
  std::shared_ptr<Session> a = registry.Use("a").value();
  a->NoteWritten(Key("i-1"));
  a->NoteWritten(Key("i-1"));
  a->NoteWritten(Key("i-2"));
  CHECK(a->TakeWritten().size() == 2);
  CHECK(a->TakeWritten().empty());
}

TEST_CASE("many threads in many sessions: each sees its own full sequence", "[session][concurrency]") {
  constexpr int kThreads = 8, kSessionsPerThread = 50, kCalls = 6;
  SessionRegistry registry(Limits(kThreads * kSessionsPerThread, 60000), SessionSettings{});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int s = 0; s < kSessionsPerThread; ++s) {
        const std::string name = "t" + std::to_string(t) + "-s" + std::to_string(s);
        for (int call = 0; call < kCalls; ++call) {
          Result<std::shared_ptr<Session>> session = registry.Use(name);
          const size_t expected = static_cast<size_t>(std::min(call, 3));
          if (!session.ok() || session.value()->Next(Key("i-1"), 4).index != expected) ++wrong;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong == 0);
  CHECK(registry.live() == kThreads * kSessionsPerThread);
  CHECK_FALSE(registry.Use("one-too-many").ok());
}

TEST_CASE("many threads in one session: every call on a key is counted once", "[session][concurrency]") {
  constexpr int kThreads = 8, kCalls = 2000;
  SessionRegistry registry(Limits(10, 60000), SessionSettings{});
  std::vector<std::vector<uint64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int call = 0; call < kCalls; ++call) {
        // A tape longer than all calls together: the entry index is the call's number.
        seen[t].push_back(registry.Use("shared").value()->Next(Key("i-1"), kThreads * kCalls + 1).index);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<uint64_t> all;
  for (const auto& calls : seen) all.insert(all.end(), calls.begin(), calls.end());
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> expected(all.size());
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = i;
  CHECK(all == expected);  // each index exactly once: no call lost or counted twice
  CHECK(registry.Find("shared")->Calls(Key("i-1")) == kThreads * kCalls);
  CHECK(registry.Find("shared")->calls() == kThreads * kCalls);
}

}  // namespace
}  // namespace ssm
