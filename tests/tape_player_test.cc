#include "proxy/replay/tape_player.h"

#include <atomic>
#include <random>
#include <thread>

#include <catch2/catch.hpp>

#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";

TapeKey Key(const std::string& command, const std::string& instance, std::optional<std::string> plugin = {}) {
  return TapeKey::ForInvocation(command, instance, std::move(plugin)).value();
}

// The i-th of many tapes of kCmd, on instance i-00000000000000000 + i.
TapeKey NumberedKey(int i) {
  char instance[32];
  std::snprintf(instance, sizeof(instance), "i-%017d", i);
  return Key(kCmd, instance);
}

Interaction Entry(const std::string& status, size_t padding = 0) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 200;
  in.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  in.response_body = "{\"Status\":\"" + status + "\",\"Pad\":\"" + std::string(padding, 'x') + "\"}";
  in.source = "test";
  return in;
}

struct Fixture {
  Fixture() { store = std::move(TapeStore::Open(dir.Sub("store"), StoreOptions{}).value()); }
  void Put(const TapeKey& key, std::vector<Interaction> entries) {
    WriteBatch batch;
    batch.ReplaceTape(key, std::move(entries));
    REQUIRE(store->Write(batch).ok());
  }
  // Tapes NumberedKey(0 .. count - 1), each a Pending and a Success entry padded by `padding` bytes.
  std::vector<TapeKey> PutMany(int count, size_t padding) {
    std::vector<TapeKey> keys;
    for (int i = 0; i < count; ++i) {
      keys.push_back(NumberedKey(i));
      Put(keys.back(), {Entry("Pending", padding), Entry("Success", padding)});
    }
    return keys;
  }
  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
};

TEST_CASE("player finds tapes, caches them, and reports misses as NotFound", "[player]") {
  Fixture f;
  TapeKey k = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(k, {Entry("Pending"), Entry("Success")});
  StoreTapePlayer player(f.store.get());
  auto tape = player.Find(k);
  REQUIRE(tape.ok());
  CHECK(tape.value()->interactions.size() == 2);
  CHECK(tape.value()->interactions[1].response_body == Entry("Success").response_body);
  CHECK(player.tape_loads() == 1);
  CHECK(player.Find(k).ok());
  CHECK(player.tape_loads() == 1);  // second find from the cache
  CHECK(player.tapes_cached() == 1);
  auto miss = player.Find(Key(kCmd, "i-06abcb62579f94ac0"));
  CHECK(miss.status().IsNotFound());
}

TEST_CASE("invalidate makes the player read a re-recorded tape", "[player]") {
  Fixture f;
  TapeKey k = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(k, {Entry("Pending")});
  StoreTapePlayer player(f.store.get());
  REQUIRE(player.Find(k).value()->interactions.size() == 1);
  f.Put(k, {Entry("Pending"), Entry("Success")});
  CHECK(player.Find(k).value()->interactions.size() == 1);  // cached copy
  player.Invalidate(k);
  CHECK(player.Find(k).value()->interactions.size() == 2);
  f.Put(k, {Entry("Failed")});
  player.InvalidateAll();
  CHECK(player.tapes_cached() == 0);
  CHECK(player.Find(k).value()->interactions.size() == 1);
}

TEST_CASE("the cache stays within its byte budget", "[player]") {
  Fixture f;
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16 * 64 * 1024);  // 64 KiB per shard
  std::vector<TapeKey> keys;
  for (int i = 0; i < 200; ++i) {
    keys.push_back(NumberedKey(i));
    f.Put(keys.back(), {Entry("Success", 8 * 1024)});
  }
  for (const auto& k : keys) REQUIRE(player.Find(k).ok());
  // 200 tapes of ~8 KiB would be ~1.6 MiB; the budget is 1 MiB.
  CHECK(player.tapes_cached() < 200);
  CHECK(player.tapes_cached() > 0);
  // Everything still answers (evicted tapes are read again).
  for (const auto& k : keys) CHECK(player.Find(k).ok());
}

TEST_CASE("nearest keys: same command and instance first, then the command's other instances", "[player]") {
  Fixture f;
  f.Put(Key(kCmd, "i-06abcb62579f94ac0"), {Entry("Success")});
  f.Put(Key(kCmd, "i-08b0130f3ddd5f444", std::string("PatchLinux")), {Entry("Success")});
  f.Put(Key("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8", "i-08b0130f3ddd5f444"), {Entry("Success")});
  StoreTapePlayer player(f.store.get());
  auto nearest = player.Nearest(Key(kCmd, "i-08b0130f3ddd5f444"), 5);
  REQUIRE(nearest.size() == 2);  // the other command is not near
  CHECK(nearest[0].plugin_name() == std::optional<std::string>("PatchLinux"));
  CHECK(nearest[1].instance_id() == "i-06abcb62579f94ac0");
  CHECK(player.Nearest(Key(kCmd, "i-08b0130f3ddd5f444"), 1).size() == 1);
  CHECK(player.Nearest(Key("00000000-0000-0000-0000-000000000000", "i-08b0130f3ddd5f444"), 5).empty());
}

TEST_CASE("concurrent finds share one store", "[player][concurrency]") {
  Fixture f;
  std::vector<TapeKey> keys;
  for (int i = 0; i < 32; ++i) {
    keys.push_back(NumberedKey(i));
    f.Put(keys.back(), {Entry("InProgress"), Entry("Success")});
  }
  StoreTapePlayer player(f.store.get(), 64 * 1024);  // small: forces evictions under load
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        auto tape = player.Find(keys[(i * 7 + t) % keys.size()]);
        if (!tape.ok() || tape.value()->interactions.size() != 2) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
}

// Plays `key` picking `index` (npos: the last entry); records the length `pick` was shown.
Result<PlayedEntry> PlayAt(TapePlayer& player, const TapeKey& key, size_t index, size_t* shown = nullptr) {
  return player.Play(key, [&](size_t length) {
    if (shown) *shown = length;
    return index == std::string::npos ? length - 1 : index;
  });
}

TEST_CASE("play decodes only the entry picked and caches entries one by one", "[player]") {
  Fixture f;
  TapeKey k = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(k, {Entry("Pending"), Entry("InProgress"), Entry("Success")});
  StoreTapePlayer player(f.store.get());
  size_t shown = 0;
  auto last = PlayAt(player, k, std::string::npos, &shown);
  REQUIRE(last.ok());
  CHECK(shown == 3);
  CHECK(last->length == 3);
  CHECK(last->index == 2);
  CHECK(last->entry->response_body == Entry("Success").response_body);
  CHECK(player.tape_loads() == 1);
  CHECK(player.tapes_cached() == 1);

  shown = 0;
  auto again = PlayAt(player, k, 2, &shown);
  REQUIRE(again.ok());
  CHECK(shown == 3);                      // the cached length
  CHECK(again->entry == last->entry);     // the same decoded entry
  CHECK(player.tape_loads() == 1);        // from the cache
  auto first = PlayAt(player, k, 0);
  REQUIRE(first.ok());
  CHECK(first->entry->response_body == Entry("Pending").response_body);
  CHECK(player.tape_loads() == 2);        // one more record read, not the whole tape
  CHECK(PlayAt(player, k, 0).ok());
  CHECK(player.tape_loads() == 2);
  auto clamped = PlayAt(player, k, 99);
  REQUIRE(clamped.ok());
  CHECK(clamped->index == 2);
  CHECK(player.tape_loads() == 2);

  // A whole tape: the entries not decoded yet are read, and later plays of any entry hit the cache.
  auto whole = player.Find(k);
  REQUIRE(whole.ok());
  CHECK(whole.value()->interactions.size() == 3);
  CHECK(whole.value()->interactions[1].response_body == Entry("InProgress").response_body);
  uint64_t loads = player.tape_loads();
  CHECK(PlayAt(player, k, 1).ok());
  CHECK(player.Find(k).ok());
  CHECK(player.tape_loads() == loads);
}

TEST_CASE("play: a miss is NotFound and does not pick", "[player]") {
  Fixture f;
  f.Put(Key(kCmd, "i-08b0130f3ddd5f444"), {Entry("Success")});
  StoreTapePlayer player(f.store.get());
  bool picked = false;
  auto miss = player.Play(Key(kCmd, "i-06abcb62579f94ac0"), [&](size_t) {
    picked = true;
    return size_t{0};
  });
  CHECK(miss.status().IsNotFound());
  CHECK_FALSE(picked);
  CHECK(player.tapes_cached() == 0);
}

TEST_CASE("play follows a tape re-recorded in the store, after invalidation or when its length changed",
          "[player]") {
  Fixture f;
  TapeKey k = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(k, {Entry("Pending")});
  StoreTapePlayer player(f.store.get());
  REQUIRE(PlayAt(player, k, 0).ok());
  // Re-recorded behind the player's back (another process): the cached copy still answers.
  f.Put(k, {Entry("InProgress"), Entry("Success")});
  size_t shown = 0;
  auto stale = PlayAt(player, k, 0, &shown);
  REQUIRE(stale.ok());
  CHECK(shown == 1);
  CHECK(stale->entry->response_body == Entry("Pending").response_body);  // cached, as Find's tapes are
  player.Invalidate(k);
  auto fresh = PlayAt(player, k, std::string::npos, &shown);
  REQUIRE(fresh.ok());
  CHECK(shown == 2);
  CHECK(fresh->entry->response_body == Entry("Success").response_body);
  // Grown while cached: the cached length and decoded entries answer until invalidated...
  f.Put(k, {Entry("Pending"), Entry("InProgress"), Entry("Cancelling"), Entry("Cancelled")});
  auto cached = PlayAt(player, k, std::string::npos, &shown);
  REQUIRE(cached.ok());
  CHECK(shown == 2);
  CHECK(cached->entry->response_body == Entry("Success").response_body);
  // ...but an entry not decoded yet is read from the store's copy, whose length then replaces it.
  auto reread = PlayAt(player, k, 0, &shown);
  REQUIRE(reread.ok());
  CHECK(shown == 2);
  CHECK(reread->length == 4);
  CHECK(reread->entry->response_body == Entry("Pending").response_body);
  CHECK(PlayAt(player, k, std::string::npos, &shown)->entry->response_body == Entry("Cancelled").response_body);
  CHECK(shown == 4);
  // Deleted from the store: NotFound, and the cached copy is dropped once an undecoded entry is asked.
  WriteBatch del;
  del.DeleteTape(k);
  REQUIRE(f.store->Write(del).ok());
  CHECK(PlayAt(player, k, 1).status().IsNotFound());
  CHECK(player.tapes_cached() == 0);
}

TEST_CASE("play keeps the cache within its byte budget", "[player]") {
  Fixture f;
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16 * 64 * 1024);  // 64 KiB per shard
  std::vector<TapeKey> keys = f.PutMany(300, 8 * 1024);
  // Only the last entries are decoded: 300 x ~8 KiB = ~2.4 MiB, over the 1 MiB budget.
  for (const auto& k : keys) REQUIRE(PlayAt(player, k, std::string::npos).ok());
  CHECK(player.tapes_cached() < 300);
  CHECK(player.tapes_cached() > 16);
  CHECK(player.tape_loads() == 300);
  // Half as many tapes fit when both entries are decoded.
  uint64_t last_only = player.tapes_cached();
  for (const auto& k : keys) {
    REQUIRE(PlayAt(player, k, 0).ok());
    REQUIRE(PlayAt(player, k, 1).ok());
  }
  CHECK(player.tapes_cached() < last_only);
  for (const auto& k : keys) {
    CHECK(PlayAt(player, k, 0)->entry->response_body == Entry("Pending", 8 * 1024).response_body);
  }
}

TEST_CASE("a full cache admits few new tapes; a tape asked for again gets in", "[player]") {
  Fixture f;
  std::vector<TapeKey> keys = f.PutMany(400, 4 * 1024);
  StoreTapePlayer player(f.store.get(), 16 * 32 * 1024);  // 32 KiB per shard: ~7 entries each
  // Calls spread over far more tapes than fit: after the shards fill, most misses are not cached.
  for (int i = 0; i < 300; ++i) REQUIRE(PlayAt(player, keys[i], 1).ok());
  CHECK(player.tape_loads() == 300);
  CHECK(player.tapes_cached() < 16 * 8);
  // A tape asked for again and again gets in within kAdmitEvery misses of its shard...
  const TapeKey& hot = keys[350];
  int misses = 0;
  for (int call = 0; call < 20; ++call) {
    uint64_t before = player.tape_loads();
    REQUIRE(PlayAt(player, hot, 1).ok());
    if (player.tape_loads() == before) break;
    ++misses;
  }
  CHECK(misses >= 1);
  CHECK(misses <= 8);
  // ...and from then on answers from the cache; its other entries always get in.
  uint64_t loads = player.tape_loads();
  REQUIRE(PlayAt(player, hot, 1).ok());
  REQUIRE(PlayAt(player, hot, 0).ok());
  REQUIRE(PlayAt(player, hot, 0).ok());
  CHECK(player.tape_loads() == loads + 1);
}

TEST_CASE("a tape in use stays cached while other tapes come and go", "[player]") {
  Fixture f;
  std::vector<TapeKey> keys = f.PutMany(400, 4 * 1024);
  StoreTapePlayer player(f.store.get(), 16 * 32 * 1024);  // 32 KiB per shard: ~7 entries each
  const TapeKey& hot = keys[0];
  REQUIRE(PlayAt(player, hot, 1).ok());
  uint64_t hot_misses = 0;
  for (int i = 1; i < 400; ++i) {
    REQUIRE(PlayAt(player, keys[i], 1).ok());  // fills every shard many times over
    uint64_t before = player.tape_loads();
    REQUIRE(PlayAt(player, hot, 1).ok());
    hot_misses += player.tape_loads() - before;
  }
  // Hits only mark a tape; eviction skips a marked one once. Without that, the hot tape would go as
  // soon as its shard had filled after it.
  CHECK(hot_misses == 0);
  CHECK(player.tape_loads() == 400);
}

TEST_CASE("an entry larger than the cache is served, not cached", "[player]") {
  Fixture f;
  TapeKey big = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(big, {Entry("Success", 200 * 1024)});
  StoreTapePlayer player(f.store.get(), 16 * 64 * 1024);  // 64 KiB per shard
  auto e = PlayAt(player, big, 0);
  REQUIRE(e.ok());
  CHECK(e->entry->response_body.size() > 200 * 1024);
  CHECK(player.tapes_cached() == 0);
}

TEST_CASE("entries the decoded cache cannot hold are answered from the record cache", "[player]") {
  Fixture f;
  std::vector<TapeKey> keys = f.PutMany(200, 100);
  // 1 KiB per shard of decoded entries: a tape or so each. 1 MiB of records: all of them.
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16 * 1024, /*record_cache_bytes=*/1 << 20);
  for (const TapeKey& k : keys) REQUIRE(PlayAt(player, k, 1).ok());
  CHECK(player.tape_loads() == 200);
  CHECK(player.records_cached() == 200);
  CHECK(player.tapes_cached() <= 32);
  for (const TapeKey& k : keys) {
    auto e = PlayAt(player, k, 1);
    REQUIRE(e.ok());
    CHECK(e->length == 2);
    CHECK(e->index == 1);
    CHECK(e->entry->response_body == Entry("Success", 100).response_body);
  }
  CHECK(player.tape_loads() == 200);  // none read from the store again
  // An entry never read: the record cache knows the length, the store has the record.
  size_t shown = 0;
  auto first = PlayAt(player, keys[7], 0, &shown);
  REQUIRE(first.ok());
  CHECK(shown == 2);
  CHECK(first->entry->response_body == Entry("Pending", 100).response_body);
  CHECK(player.tape_loads() == 201);
  CHECK(PlayAt(player, keys[7], 0).ok());
  CHECK(player.tape_loads() == 201);
}

TEST_CASE("invalidation and deletion reach the record cache", "[player]") {
  Fixture f;
  TapeKey k = Key(kCmd, "i-08b0130f3ddd5f444");
  f.Put(k, {Entry("Pending"), Entry("Success")});
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16, /*record_cache_bytes=*/1 << 20);  // no decoded entry fits
  REQUIRE(PlayAt(player, k, 1).ok());
  CHECK(player.tapes_cached() == 0);
  CHECK(player.records_cached() == 1);
  // Re-recorded behind the player's back: the cached record answers until the tape is invalidated.
  f.Put(k, {Entry("Pending"), Entry("Failed")});
  CHECK(PlayAt(player, k, 1)->entry->response_body == Entry("Success").response_body);
  CHECK(player.tape_loads() == 1);
  player.Invalidate(k);
  CHECK(PlayAt(player, k, 1)->entry->response_body == Entry("Failed").response_body);
  CHECK(player.tape_loads() == 2);
  player.InvalidateAll();
  CHECK(player.records_cached() == 0);
  CHECK(PlayAt(player, k, 1).ok());
  CHECK(player.tape_loads() == 3);
  // Deleted: asking for an entry not cached finds the store without it, and drops the tape from both
  // caches, so the entry that was cached is gone too.
  WriteBatch del;
  del.DeleteTape(k);
  REQUIRE(f.store->Write(del).ok());
  CHECK(PlayAt(player, k, 0).status().IsNotFound());
  CHECK(player.records_cached() == 0);
  CHECK(PlayAt(player, k, 1).status().IsNotFound());
}

TEST_CASE("calls spread over far more tapes than the decoded cache holds go past it, until they narrow",
          "[player]") {
  Fixture f;
  constexpr int kTapes = 4000;
  auto body = [](int i) { return Entry("Success-" + std::to_string(i), 100).response_body; };
  WriteBatch batch;
  std::vector<TapeKey> keys;
  for (int i = 0; i < kTapes; ++i) {
    keys.push_back(NumberedKey(i));
    batch.ReplaceTape(keys.back(), {Entry("Success-" + std::to_string(i), 100)});
  }
  REQUIRE(f.store->Write(batch).ok());
  // Decoded entries: 4 KiB per shard, about 10 tapes each, 4 % of the tapes. Records: all of them.
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16 * 4096, /*record_cache_bytes=*/8 << 20);
  std::mt19937 rng(5);
  auto play_some = [&](int calls, int spread) {
    for (int c = 0; c < calls; ++c) {
      int i = static_cast<int>(rng() % spread);
      auto e = PlayAt(player, keys[i], 0);
      REQUIRE(e.ok());
      REQUIRE(e->entry->response_body == body(i));
    }
  };
  play_some(kTapes, kTapes);
  CHECK_FALSE(player.decoded_cache_bypassed());  // no window of probes closed yet
  play_some(40000, kTapes);                      // ~2,500 probes: two windows
  CHECK(player.decoded_cache_bypassed());
  CHECK(player.tape_loads() == kTapes);  // the records answer: each read from the store once
  // Bypassed, a second play while the first is held decodes the entry again, into a new one, unless
  // it is a probe (one call in 16) and finds it cached: at most 8 of 64.
  int same = 0;
  for (int c = 0; c < 64; ++c) {
    auto first = PlayAt(player, keys[0], 0);
    auto second = PlayAt(player, keys[0], 0);
    REQUIRE(second.ok());
    CHECK(second->entry->response_body == body(0));
    same += first->entry == second->entry;
  }
  CHECK(same <= 8);
  // Calls narrow to 8 tapes: probes fill the decoded cache with them, hit, and open the gate.
  play_some(40000, 8);
  CHECK_FALSE(player.decoded_cache_bypassed());
  // Open, every call finds them decoded: a second play while the first is held gets the same entry
  // (bypassed, it would be decoded again into a new one).
  for (int i = 0; i < 8; ++i) {
    auto first = PlayAt(player, keys[i], 0);
    auto second = PlayAt(player, keys[i], 0);
    REQUIRE(first.ok());
    REQUIRE(second.ok());
    CHECK(first->entry == second->entry);
  }
}

TEST_CASE("an entry played stays as it was for as long as it is held", "[player]") {
  Fixture f;
  std::vector<TapeKey> keys;
  auto body = [](int i) { return Entry("Success-" + std::to_string(i), 300).response_body; };
  for (int i = 0; i < 100; ++i) {
    keys.push_back(NumberedKey(i));
    f.Put(keys.back(), {Entry("Success-" + std::to_string(i), 300)});
  }
  // One such entry (~0.9 KiB with its tape's overhead) all but fills a 1 KiB shard of decoded entries,
  // so most tapes after the first of each shard are left out by admission. Those are decoded into a
  // spare the thread reuses once it is released (not before: this test fails if it is).
  StoreTapePlayer player(f.store.get(), /*cache_bytes=*/16 * 1024, /*record_cache_bytes=*/1 << 20);
  for (int round = 0; round < 2; ++round) {
    std::vector<PlayedEntry> held;
    for (const TapeKey& k : keys) held.push_back(PlayAt(player, k, 0).value());
    for (int i = 0; i < 100; ++i) CHECK(held[i].entry->response_body == body(i));
  }
  for (int i = 0; i < 100; ++i) {  // one at a time, each released before the next
    CHECK(PlayAt(player, keys[i], 0)->entry->response_body == body(i));
  }
}

TEST_CASE("concurrent plays see every tape's entries in place", "[player][concurrency]") {
  Fixture f;
  std::vector<TapeKey> keys;
  for (int i = 0; i < 64; ++i) {
    keys.push_back(NumberedKey(i));
    std::string n = std::to_string(i);
    f.Put(keys.back(), {Entry("Pending-" + n, 512), Entry("InProgress-" + n, 512), Entry("Success-" + n, 512)});
  }
  // Tiny caches: evictions race with plays, in the decoded cache and (second run) the record cache.
  size_t record_cache_bytes = GENERATE(size_t{0}, size_t{16 * 4096});
  StoreTapePlayer player(f.store.get(), 16 * 4 * 1024, record_cache_bytes);
  const std::string names[] = {"Pending-", "InProgress-", "Success-"};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 2000; ++n) {
        size_t tape = (n * 7 + t * 13) % keys.size(), index = (n + t) % 3;
        auto e = PlayAt(player, keys[tape], index);
        if (!e.ok() || e->length != 3 || e->index != index ||
            e->entry->response_body != Entry(names[index] + std::to_string(tape), 512).response_body) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
}

}  // namespace
}  // namespace ssm
