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

TEST_CASE("reset one key, a command's keys, or all", "[cursor]") {
  CursorTable cursors;
  TapeKey a = Key("i-08b0130f3ddd5f444"), b = Key("i-06abcb62579f94ac0");
  TapeKey other =
      TapeKey::ForInvocation("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8", "i-0e854fd6a57f2b03b", std::nullopt)
          .value();
  cursors.Next(a, 5);
  cursors.Next(a, 5);
  cursors.Next(b, 5);
  cursors.Next(other, 5);
  CHECK(cursors.Reset(a));
  CHECK_FALSE(cursors.Reset(a));
  CHECK(cursors.Next(a, 5).index == 0);
  CHECK(cursors.Next(b, 5).index == 1);

  CHECK(cursors.ResetPrefix(TapeKey::CommandIdPrefix(kCmd)) == 2);
  CHECK(cursors.Next(b, 5).index == 0);
  CHECK(cursors.Next(other, 5).index == 1);

  cursors.ResetAll();
  CHECK(cursors.size() == 0);
  CHECK(cursors.Next(other, 5).index == 0);
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
  // One command's keys: the other command's keep theirs.
  size_t odd_left = 0;
  for (int n = 1; n < kKeys; n += 2) odd_left += n % 3 != 0;
  CHECK(cursors.ResetPrefix(TapeKey::CommandIdPrefix(kCmd)) == odd_left);
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

TEST_CASE("order names parse", "[cursor]") {
  CHECK(ParseReplayOrder("sequence").value() == ReplayOrder::kSequence);
  CHECK(ParseReplayOrder("last").value() == ReplayOrder::kLast);
  CHECK_FALSE(ParseReplayOrder("first").ok());
}

}  // namespace
}  // namespace ssm
