// TapeStore::ReadTapeEntry: one entry of a tape, its length from the last record key, nothing else
// decoded.
#include <catch2/catch.hpp>

#include <lmdb.h>

#include <fstream>
#include <iterator>

#include "store/record_codec.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";

TapeKey Inv(const std::string& instance, std::optional<std::string> plugin = std::nullopt,
            const std::string& command = kCmd) {
  return TapeKey::ForInvocation(command, instance, std::move(plugin)).value();
}

Interaction Entry(const std::string& status, size_t padding = 0) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  i.response_body = R"({"Status":")" + status + R"(","Pad":")" + std::string(padding, 'p') + R"("})";
  i.source = "test";
  return i;
}

struct Store {
  Store() {
    auto opened = TapeStore::Open(dir.Sub("s"));
    REQUIRE(opened.ok());
    store = std::move(opened).value();
  }
  void Put(const TapeKey& key, std::vector<Interaction> entries) {
    WriteBatch b;
    b.ReplaceTape(key, std::move(entries));
    REQUIRE(store->Write(b).ok());
  }
  // Entry `index` (or the last, for npos) and the length `pick` was shown.
  Result<TapeStore::TapeEntry> Read(const TapeKey& key, size_t index, size_t* shown = nullptr) {
    return store->ReadTapeEntry(key, [&](size_t length) {
      if (shown) *shown = length;
      return index == std::string::npos ? length - 1 : index;
    });
  }
  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
};

TEST_CASE("read one entry: the tape's length, the entry picked, clamped to the last", "[tape_store][entry]") {
  Store s;
  TapeKey k = Inv("i-08b0130f3ddd5f444");
  s.Put(k, {Entry("Pending"), Entry("InProgress"), Entry("Success")});
  for (size_t i = 0; i < 3; ++i) {
    size_t shown = 0;
    auto e = s.Read(k, i, &shown);
    REQUIRE(e.ok());
    CHECK(shown == 3);
    CHECK(e->length == 3);
    CHECK(e->index == i);
    CHECK(e->interaction == s.store->ReadTape(k)->interactions[i]);
  }
  auto past = s.Read(k, 7);
  REQUIRE(past.ok());
  CHECK(past->index == 2);
  CHECK(past->interaction == Entry("Success"));
}

TEST_CASE("read one entry: neighbouring tapes never leak into each other", "[tape_store][entry]") {
  Store s;
  // In key order: no PluginName < PluginName "" < PluginName "PatchLinux"; another instance after.
  TapeKey none = Inv("i-08b0130f3ddd5f444");
  TapeKey empty = Inv("i-08b0130f3ddd5f444", std::string());
  TapeKey patch = Inv("i-08b0130f3ddd5f444", std::string("PatchLinux"));
  TapeKey last = Inv("i-0fffffffffffffff0");
  s.Put(none, {Entry("A0"), Entry("A1")});
  s.Put(empty, {Entry("B0")});
  s.Put(patch, {Entry("C0"), Entry("C1"), Entry("C2"), Entry("C3")});
  s.Put(last, {Entry("D0"), Entry("D1"), Entry("D2")});  // the store's last records: the MDB_LAST path
  struct Want {
    TapeKey key;
    size_t length;
    std::string last;
  };
  for (const Want& w : {Want{none, 2, "A1"}, Want{empty, 1, "B0"}, Want{patch, 4, "C3"}, Want{last, 3, "D2"}}) {
    INFO(w.key.Describe());
    auto e = s.Read(w.key, std::string::npos);
    REQUIRE(e.ok());
    CHECK(e->length == w.length);
    CHECK(e->interaction == Entry(w.last));
  }
  // Keys with no tape: before every tape, between two, after every tape.
  bool picked = false;
  for (const TapeKey& k : {Inv("i-00000000000000000", std::nullopt, "00000000-0000-0000-0000-000000000000"),
                           Inv("i-08b0130f3ddd5f444", std::string("Patch")), Inv("i-08b0130f3ddd5f445"),
                           Inv("i-zzzzzzzzzzzzzzzzz")}) {
    INFO(k.Describe());
    auto e = s.store->ReadTapeEntry(k, [&](size_t) {
      picked = true;
      return size_t{0};
    });
    CHECK(e.status().IsNotFound());
  }
  CHECK_FALSE(picked);
  // Action tapes (fixed-length hashed keys) too.
  TapeKey send = TapeKey::ForAction("SendCommand", R"({"DocumentName":"AWS-RunShellScript"})").value();
  s.Put(send, {Entry("S0"), Entry("S1")});
  auto e = s.Read(send, 0);
  REQUIRE(e.ok());
  CHECK(e->length == 2);
  CHECK(e->interaction == Entry("S0"));
  CHECK(s.Read(TapeKey::ForAction("SendCommand", "{}").value(), 0).status().IsNotFound());
}

TEST_CASE("a stored entry read undecoded decodes to the entry; damaged, to Corruption naming it",
          "[tape_store][entry]") {
  Store s;
  TapeKey k = Inv("i-08b0130f3ddd5f444");
  s.Put(k, {Entry("Pending", 300), Entry("InProgress", 40), Entry("Success", 500)});
  TapeStore::StoredEntry stored;  // reused across reads, as a caching caller does
  for (size_t i : {size_t{2}, size_t{0}, size_t{1}, size_t{9}}) {
    size_t shown = 0;
    Status read = s.store->ReadStoredEntry(
        k,
        [&](size_t length) {
          shown = length;
          return i;
        },
        &stored);
    REQUIRE(read.ok());
    CHECK(shown == 3);
    CHECK(stored.length == 3);
    CHECK(stored.index == std::min<size_t>(i, 2));
    Interaction decoded;
    REQUIRE(s.store->DecodeStoredEntry(k, stored.index, stored.record, &decoded).ok());
    CHECK(decoded == s.Read(k, stored.index)->interaction);
  }
  // Decoding into an Interaction that held a bigger entry leaves nothing of it behind.
  Interaction reused = Entry("Success", 500);
  REQUIRE(s.store->ReadStoredEntry(k, [](size_t) { return size_t{1}; }, &stored).ok());
  REQUIRE(s.store->DecodeStoredEntry(k, 1, stored.record, &reused).ok());
  CHECK(reused == Entry("InProgress", 40));

  CHECK(s.store->ReadStoredEntry(Inv("i-0aaaaaaaaaaaaaaaa"), [](size_t) { return size_t{0}; }, &stored)
            .IsNotFound());
  REQUIRE(s.store->ReadStoredEntry(k, [](size_t) { return size_t{0}; }, &stored).ok());
  std::string damaged = stored.record;
  damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x01);
  Interaction out;
  Status bad = s.store->DecodeStoredEntry(k, 0, damaged, &out);
  CHECK(bad.IsCorruption());
  CHECK(bad.message().find("i-08b0130f3ddd5f444") != std::string::npos);
  CHECK(bad.message().find("entry 0") != std::string::npos);
  CHECK(s.store->DecodeStoredEntry(k, 0, damaged.substr(0, 3), &out).IsCorruption());
}

TEST_CASE("read one entry: a missing or damaged record is Corruption naming the tape and entry",
          "[tape_store][entry]") {
  Store s;
  TapeKey k = Inv("i-08b0130f3ddd5f444");
  s.Put(k, {Entry("Pending", 300), Entry("InProgress", 400), Entry("Success", 500)});
  s.store.reset();
  std::string path = s.dir.Sub("s") + "/data.mdb";
  {  // Damage entry 2's bytes in the file.
    std::ifstream in(path, std::ios::binary);
    std::string data(std::istreambuf_iterator<char>(in), {});
    std::string record = EncodeInteraction(Entry("Success", 500));
    size_t at = data.find(record);
    REQUIRE(at != std::string::npos);
    data[at + record.size() / 2] = static_cast<char>(data[at + record.size() / 2] ^ 0x01);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  {  // Delete entry 1's record, as a damaged store might have lost it.
    MDB_env* env;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 4);
    REQUIRE(mdb_env_open(env, s.dir.Sub("s").c_str(), 0, 0600) == 0);
    MDB_txn* txn;
    mdb_txn_begin(env, nullptr, 0, &txn);
    MDB_dbi records;
    REQUIRE(mdb_dbi_open(txn, "records", 0, &records) == 0);
    std::string key = k.encoded() + std::string("\0\0\0\1", 4);
    MDB_val kv{key.size(), key.data()};
    REQUIRE(mdb_del(txn, records, &kv, nullptr) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
  }
  s.store = std::move(TapeStore::Open(s.dir.Sub("s")).value());
  auto damaged = s.Read(k, 2);
  CHECK(damaged.status().IsCorruption());
  CHECK_THAT(damaged.status().message(), Catch::Contains("entry 2") && Catch::Contains("i-08b0130f3ddd5f444"));
  auto missing = s.Read(k, 1);
  CHECK(missing.status().IsCorruption());
  CHECK_THAT(missing.status().message(), Catch::Contains("missing entry 1"));
  auto fine = s.Read(k, 0);
  REQUIRE(fine.ok());
  CHECK(fine->interaction == Entry("Pending", 300));
}

TEST_CASE("read one entry with a dictionary-compressed store", "[tape_store][entry]") {
  Store s;
  for (int t = 0; t < 300; ++t) {
    s.Put(Inv("i-" + std::to_string(10000000 + t) + "abcdefghi"), {Entry("Success", 200)});
  }
  REQUIRE(s.store->TrainDictionary(4096, 300).ok());
  TapeKey k = Inv("i-08b0130f3ddd5f444");
  s.Put(k, {Entry("Pending", 100), Entry("Success", 900)});
  auto e = s.Read(k, 1);
  REQUIRE(e.ok());
  CHECK(e->interaction == Entry("Success", 900));
}

}  // namespace
}  // namespace ssm
