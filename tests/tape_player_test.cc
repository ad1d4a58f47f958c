#include "proxy/tape_player.h"

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
    char instance[32];
    std::snprintf(instance, sizeof(instance), "i-%017d", i);
    keys.push_back(Key(kCmd, instance));
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
    char instance[32];
    std::snprintf(instance, sizeof(instance), "i-%017d", i);
    keys.push_back(Key(kCmd, instance));
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

}  // namespace
}  // namespace ssm
