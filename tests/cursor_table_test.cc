#include "proxy/replay/cursor_table.h"

#include <atomic>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";

TapeKey Key(const std::string& instance, std::optional<std::string> plugin = std::nullopt) {
  return TapeKey::ForInvocation(kCmd, instance, std::move(plugin)).value();
}

TEST_CASE("cursor walks the tape and repeats the last entry", "[cursor]") {
  CursorTable cursors;
  TapeKey k = Key("i-08b0130f3ddd5f444");
  std::vector<size_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(cursors.Next(k, 4).index);
  CHECK(got == std::vector<size_t>{0, 1, 2, 3, 3, 3, 3});
  CHECK(cursors.Calls(k) == 7);
}

TEST_CASE("cursor step reports the call number", "[cursor]") {
  CursorTable cursors;
  TapeKey k = Key("i-08b0130f3ddd5f444");
  CHECK(cursors.Next(k, 2).call == 0);
  CHECK(cursors.Next(k, 2).call == 1);
  CHECK(cursors.Next(k, 2).call == 2);
}

TEST_CASE("order last always answers the terminal entry", "[cursor]") {
  CursorTable cursors;
  TapeKey k = Key("i-08b0130f3ddd5f444");
  for (int i = 0; i < 3; ++i) CHECK(cursors.Next(k, 5, ReplayOrder::kLast).index == 4);
  CHECK(cursors.Next(k, 1, ReplayOrder::kSequence).index == 0);
}

TEST_CASE("cursors are independent per key; absent and present PluginName differ", "[cursor]") {
  CursorTable cursors;
  TapeKey a = Key("i-08b0130f3ddd5f444"), b = Key("i-06abcb62579f94ac0");
  TapeKey a_plugin = Key("i-08b0130f3ddd5f444", std::string("aws:runShellScript"));
  CHECK(cursors.Next(a, 5).index == 0);
  CHECK(cursors.Next(a, 5).index == 1);
  CHECK(cursors.Next(b, 5).index == 0);
  CHECK(cursors.Next(a_plugin, 5).index == 0);
  CHECK(cursors.Next(a, 5).index == 2);
  CHECK(cursors.size() == 3);
}

TEST_CASE("reset one key, or all", "[cursor]") {
  CursorTable cursors;
  TapeKey a = Key("i-08b0130f3ddd5f444"), b = Key("i-06abcb62579f94ac0");
  cursors.Next(a, 5);
  cursors.Next(a, 5);
  cursors.Next(b, 5);
  CHECK(cursors.Reset(a));
  CHECK_FALSE(cursors.Reset(a));
  CHECK(cursors.Next(a, 5).index == 0);
  CHECK(cursors.Next(b, 5).index == 1);
  cursors.ResetAll();
  CHECK(cursors.size() == 0);
  CHECK(cursors.Next(b, 5).index == 0);
}

TEST_CASE("thousands of cursors: each counts its own calls through growth, resets and removals", "[cursor]") {
  CursorTable cursors;
  constexpr int kKeys = 5000;
  auto key = [](int n) {
    char instance[32];
    std::snprintf(instance, sizeof(instance), "i-%017d", n);
    // Two commands, so a prefix reset takes some keys of every shard and leaves the others.
    return TapeKey::ForInvocation(n % 2 ? kCmd : "469a0bdb-7bff-40fd-8698-2e22e4f0e7e8", instance, std::nullopt)
        .value();
  };
  auto calls_wanted = [](int n) { return static_cast<uint64_t>(n % 7 + 1); };
  for (int round = 0; round < 7; ++round) {
    for (int n = 0; n < kKeys; ++n) {
      if (static_cast<uint64_t>(round) < calls_wanted(n)) cursors.Next(key(n), 100);
    }
  }
  CHECK(cursors.size() == kKeys);
  int wrong = 0;
  for (int n = 0; n < kKeys; ++n) wrong += cursors.Calls(key(n)) != calls_wanted(n);
  CHECK(wrong == 0);
  // Every third key reset: the others keep their counts (removal moves slots, never loses one).
  for (int n = 0; n < kKeys; n += 3) REQUIRE(cursors.Reset(key(n)));
  CHECK(cursors.size() == kKeys - (kKeys + 2) / 3);
  for (int n = 0; n < kKeys; ++n) wrong += cursors.Calls(key(n)) != (n % 3 == 0 ? 0 : calls_wanted(n));
  CHECK(wrong == 0);
  // One command's keys, reset one by one as the admin endpoint does: the other command's keep theirs.
  for (int n = 1; n < kKeys; n += 2) cursors.Reset(key(n));
  for (int n = 0; n < kKeys; ++n) {
    wrong += cursors.Calls(key(n)) != (n % 3 == 0 || n % 2 == 1 ? 0 : calls_wanted(n));
  }
  CHECK(wrong == 0);
  CHECK(cursors.Next(key(1), 100).index == 0);  // starts over
  CHECK(cursors.Next(key(2), 100).index == calls_wanted(2));
}

TEST_CASE("concurrent calls on one key each get a distinct step", "[cursor][concurrency]") {
  CursorTable cursors;
  TapeKey k = Key("i-08b0130f3ddd5f444");
  constexpr int kThreads = 8, kCalls = 2000;
  std::vector<std::vector<uint64_t>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) seen[t].push_back(cursors.Next(k, 1000000).index);
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (const auto& s : seen) all.insert(s.begin(), s.end());
  // No index handed out twice, none skipped: every call advanced the cursor exactly once.
  CHECK(all.size() == size_t{kThreads} * kCalls);
  CHECK(*all.rbegin() == uint64_t{kThreads} * kCalls - 1);
  CHECK(cursors.Calls(k) == uint64_t{kThreads} * kCalls);
}

TEST_CASE("concurrent waiters on different keys don't disturb each other", "[cursor][concurrency]") {
  CursorTable cursors;
  constexpr int kThreads = 16;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      char instance[32];
      std::snprintf(instance, sizeof(instance), "i-%017d", t);
      TapeKey k = Key(instance);
      for (size_t i = 0; i < 500; ++i) {
        size_t expected = i < 4 ? i : 4;
        if (cursors.Next(k, 5).index != expected) ++bad;
        if (t == 0 && i % 50 == 0) cursors.Reset(Key("i-99999999999999999"));  // unrelated resets
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(bad == 0);
  CHECK(cursors.size() == kThreads);
}

TEST_CASE("keys that differ in one byte, or only by a present or absent PluginName, keep apart", "[cursor]") {
  CursorTable cursors;
  std::vector<TapeKey> keys = {Key("i-0"), Key("i-1"), Key("i-0", std::string()), Key("i-0", std::string("a")),
                               TapeKey::ForAction("SendCommand", "{}").value(),
                               TapeKey::ForAction("SendCommand", "{ }").value()};
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t call = 0; call <= i; ++call) cursors.Next(keys[i], 10);
  }
  for (size_t i = 0; i < keys.size(); ++i) CHECK(cursors.Calls(keys[i]) == i + 1);
  CHECK(cursors.size() == keys.size());
}

TEST_CASE("the first call's time is kept per key through growth, moves and resets", "[cursor]") {
  int64_t now = 1'765'000'000'000;  // a Unix time in ms
  CursorTable cursors([&now] { return now; });
  auto key = [](int n) { return Key("i-" + std::to_string(100000000000000000 + n)); };
  constexpr int kKeys = 3000;  // grows every shard a few times
  for (int n = 0; n < kKeys; ++n, now += 7) cursors.Next(key(n), 3);
  now += 1'000'000;
  int wrong = 0;
  for (int n = 0; n < kKeys; ++n) {
    CursorStep step = cursors.Next(key(n), 3);
    wrong += step.first_call_ms != 1'765'000'000'000 + 7 * n || step.call != 1;
  }
  CHECK(wrong == 0);
  REQUIRE(cursors.Reset(key(5)));
  CHECK(cursors.Next(key(5), 3).first_call_ms == now);
  // A clock over a year past the table's start (a stepped clock, a server up that long) is clamped
  // (to 397 days past it), not wrapped back to before the start.
  constexpr int64_t kDayMs = int64_t{24} * 3600 * 1000;
  now += 3650 * kDayMs;
  const int64_t far = cursors.Next(key(kKeys), 3).first_call_ms;
  CHECK(far > 1'765'000'000'000 + 397 * kDayMs);
  CHECK(far < 1'765'000'000'000 + 398 * kDayMs);
}

TEST_CASE("calls stop counting at kMaxCalls; the step stays the last and the first call's time stays", "[cursor]") {
  int64_t now = 5000;
  CursorTable cursors([&now] { return now; });
  TapeKey k = Key("i-08b0130f3ddd5f444");
  for (uint64_t i = 0; i < CursorTable::kMaxCalls; ++i) cursors.Next(k, 3);
  now = 9000;
  CursorStep step = cursors.Next(k, 3);
  CHECK(step.call == CursorTable::kMaxCalls);
  CHECK(step.index == 2);
  CHECK(step.first_call_ms == 5000);
  CHECK(cursors.Calls(k) == CursorTable::kMaxCalls);
}

TEST_CASE("a hundred thousand keys of a thousand commands: growth, long probe runs, removals", "[cursor]") {
  CursorTable cursors;
  constexpr int kKeys = 100000;
  auto key = [](int n) {
    // 1,000 commands of 100 instances: the command part of the fingerprint repeats, the key part not.
    return TapeKey::ForInvocation("cmd-" + std::to_string(n / 100), "i-" + std::to_string(n % 100), std::nullopt)
        .value();
  };
  for (int n = 0; n < kKeys; ++n) cursors.Next(key(n), 10);
  for (int n = 0; n < kKeys; n += 2) cursors.Next(key(n), 10);
  CHECK(cursors.size() == kKeys);
  int wrong = 0;
  for (int n = 0; n < kKeys; ++n) wrong += cursors.Calls(key(n)) != (n % 2 == 0 ? 2u : 1u);
  CHECK(wrong == 0);
  // One command's keys, then removals all over: the rest keep their counts.
  for (int n = 700; n < 800; ++n) REQUIRE(cursors.Reset(key(n)));
  for (int n = 0; n < kKeys; n += 5) cursors.Reset(key(n));
  for (int n = 0; n < kKeys; ++n) {
    uint64_t want = n % 5 == 0 || n / 100 == 7 ? 0 : (n % 2 == 0 ? 2 : 1);
    wrong += cursors.Calls(key(n)) != want;
  }
  CHECK(wrong == 0);
  CHECK(cursors.size() == kKeys - kKeys / 5 - 80);
  cursors.ResetAll();
  CHECK(cursors.size() == 0);
  CHECK(cursors.Calls(key(1)) == 0);
}

TEST_CASE("threads adding keys while others count, reset and read", "[cursor][concurrency]") {
  CursorTable cursors;
  constexpr int kThreads = 8, kKeysEach = 4000;
  auto key = [](int t, int n) { return Key("i-" + std::to_string(t) + "-" + std::to_string(n)); };
  TapeKey hot = Key("i-hot");
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread's own keys get two calls each while every shard grows under the others.
      for (int n = 0; n < kKeysEach; ++n) {
        if (cursors.Next(key(t, n), 9).index != 0) ++bad;
        cursors.Next(hot, 1'000'000);
        if (cursors.Next(key(t, n), 9).index != 1) ++bad;
        if (n % 500 == 0) cursors.Reset(Key("i-never-called"));
        if (n % 700 == 0) cursors.Reset(Key("i-" + std::to_string(t) + "-" + std::to_string(n + 1000000)));
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(bad == 0);
  CHECK(cursors.size() == size_t{kThreads} * kKeysEach + 1);
  CHECK(cursors.Calls(hot) == uint64_t{kThreads} * kKeysEach);
  int wrong = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int n = 0; n < kKeysEach; ++n) wrong += cursors.Calls(key(t, n)) != 2;
  }
  CHECK(wrong == 0);
}

TEST_CASE("order names parse", "[cursor]") {
  CHECK(ParseReplayOrder("sequence").value() == ReplayOrder::kSequence);
  CHECK(ParseReplayOrder("last").value() == ReplayOrder::kLast);
  CHECK_FALSE(ParseReplayOrder("first").ok());
}

}  // namespace
}  // namespace ssm
