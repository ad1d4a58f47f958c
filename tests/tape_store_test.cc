#include <catch2/catch.hpp>

#include <lmdb.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "store/record_codec.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

using namespace ssm;

namespace {

TapeKey Inv(const std::string& c, const std::string& i, std::optional<std::string> p = std::nullopt) {
  return *TapeKey::ForInvocation(c, i, p);
}

Interaction Entry(const std::string& status, int64_t at_ms, size_t padding = 0) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.request_body = R"({"CommandId":"c","InstanceId":"i"})";
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  i.response_body = R"({"Status":")" + status + R"(","Pad":")" + std::string(padding, 'p') + R"("})";
  i.recorded_at_ms = at_ms;
  i.upstream_latency_us = 1000;
  i.source = "test";
  return i;
}

std::unique_ptr<TapeStore> OpenOrDie(const std::string& dir, StoreOptions options = {}) {
  auto store = TapeStore::Open(dir, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

std::vector<std::string> Statuses(const Tape& tape) {
  std::vector<std::string> out;
  for (const auto& i : tape.interactions) {
    auto start = i.response_body.find("\"Status\":\"") + 10;
    out.push_back(i.response_body.substr(start, i.response_body.find('"', start) - start));
  }
  return out;
}

}  // namespace

TEST_CASE("replace, append and delete tapes", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  TapeKey k = Inv("c-1", "i-1");

  WriteBatch b;
  b.ReplaceTape(k, {Entry("Pending", 1), Entry("InProgress", 2)});
  REQUIRE(store->Write(b).ok());
  auto tape = store->ReadTape(k);
  REQUIRE(tape.ok());
  CHECK(Statuses(*tape) == std::vector<std::string>{"Pending", "InProgress"});

  WriteBatch append;
  append.Append(k, Entry("Success", 3));
  REQUIRE(store->Write(append).ok());
  CHECK(Statuses(*store->ReadTape(k)) == std::vector<std::string>{"Pending", "InProgress", "Success"});

  WriteBatch replace;
  replace.ReplaceTape(k, {Entry("Failed", 4)});
  REQUIRE(store->Write(replace).ok());
  CHECK(Statuses(*store->ReadTape(k)) == std::vector<std::string>{"Failed"});
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->tapes == 1);
  CHECK(stats->interactions == 1);

  WriteBatch del;
  del.DeleteTape(k);
  REQUIRE(store->Write(del).ok());
  auto gone = store->ReadTape(k);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.status().IsNotFound());
  CHECK(store->Stats()->interactions == 0);
  CHECK(*store->Verify([](const std::string&, const Status&) {}) == 0);
}

TEST_CASE("a batch is written in key order; one key's replace and appends keep their order", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  WriteBatch first;
  first.ReplaceTape(Inv("m", "i-1"), {Entry("Old", 1)});
  REQUIRE(store->Write(first).ok());
  WriteBatch b;  // keys after, before and equal to the stored one, out of order
  b.Append(Inv("z", "i-1"), Entry("Z1", 2));
  b.ReplaceTape(Inv("m", "i-1"), {Entry("M1", 3)});
  b.Append(Inv("a", "i-1"), Entry("A1", 4));
  b.Append(Inv("m", "i-1"), Entry("M2", 5));
  b.Append(Inv("z", "i-1"), Entry("Z2", 6));
  b.Append(Inv("m", "i-1"), Entry("M3", 7));
  REQUIRE(store->Write(b).ok());
  auto statuses = [&](const TapeKey& key) {
    std::vector<std::string> out;
    auto tape = store->ReadTape(key);
    REQUIRE(tape.ok());
    for (const auto& i : tape->interactions) out.push_back(i.response_body.substr(11, 2));
    return out;
  };
  CHECK(statuses(Inv("m", "i-1")) == std::vector<std::string>{"M1", "M2", "M3"});
  CHECK(statuses(Inv("z", "i-1")) == std::vector<std::string>{"Z1", "Z2"});
  CHECK(statuses(Inv("a", "i-1")) == std::vector<std::string>{"A1"});
  CHECK(*store->Verify([](const std::string&, const Status&) {}) == 0);
}

TEST_CASE("absent and empty PluginName tapes are kept apart", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  WriteBatch b;
  b.ReplaceTape(Inv("c", "i"), {Entry("Absent", 1)});
  b.ReplaceTape(Inv("c", "i", std::string()), {Entry("Empty", 1)});
  b.ReplaceTape(Inv("c", "i", std::string("P")), {Entry("Named", 1)});
  REQUIRE(store->Write(b).ok());
  CHECK(Statuses(*store->ReadTape(Inv("c", "i"))) == std::vector<std::string>{"Absent"});
  CHECK(Statuses(*store->ReadTape(Inv("c", "i", std::string()))) == std::vector<std::string>{"Empty"});
  CHECK(Statuses(*store->ReadTape(Inv("c", "i", std::string("P")))) == std::vector<std::string>{"Named"});
}

TEST_CASE("list by CommandId is a prefix scan that sees only that command", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  WriteBatch b;
  for (const char* c : {"a", "ab", "abc", "b"}) {
    for (const char* i : {"i-1", "i-2"}) b.ReplaceTape(Inv(c, i), {Entry("Success", 1)});
  }
  b.ReplaceTape(*TapeKey::ForAction("SendCommand", R"({"DocumentName":"X"})"), {Entry("Pending", 1)});
  REQUIRE(store->Write(b).ok());

  TapeFilter f;
  f.command_id = "ab";
  auto tapes = store->ListTapes(f);
  REQUIRE(tapes.ok());
  REQUIRE(tapes->size() == 2);
  for (const auto& t : *tapes) CHECK(t.key.command_id() == "ab");

  TapeFilter by_instance;
  by_instance.instance_id = "i-2";
  CHECK(store->ListTapes(by_instance)->size() == 4);

  TapeFilter by_action;
  by_action.action = "SendCommand";
  auto sends = store->ListTapes(by_action);
  REQUIRE(sends->size() == 1);
  CHECK(sends->front().key.canonical_body() == R"({"DocumentName":"X"})");
  CHECK(store->ListTapes()->size() == 9);
}

TEST_CASE("DataBytes grows with what is written, and reads nothing to say so", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  uint64_t empty = store->DataBytes();
  CHECK(empty > 0);
  CHECK(empty < 64 * 1024);
  WriteBatch batch;
  for (int i = 0; i < 500; ++i) {
    batch.ReplaceTape(Inv("c-1", "i-" + std::to_string(i)), {Entry("Success-" + std::to_string(i * 7919), 1, 2000)});
  }
  REQUIRE(store->Write(batch).ok());
  uint64_t full = store->DataBytes();
  CHECK(full > empty + 500 * 50);  // compressed records, keys and pages
  CHECK(full <= store->Stats()->file_bytes);
}

TEST_CASE("the map grows instead of failing when full", "[tape_store]") {
  test::TempDir dir;
  StoreOptions small;
  small.initial_map_bytes = 256 * 1024;
  auto store = OpenOrDie(dir.Sub("s"), small);
  // Incompressible padding, so the data really outgrows the map many times over.
  std::string noise;
  uint32_t x = 12345;
  for (int n = 0; n < 20000; ++n) noise.push_back(static_cast<char>('a' + ((x = x * 1103515245 + 12345) >> 16) % 26));
  for (int batch = 0; batch < 20; ++batch) {
    WriteBatch b;
    for (int t = 0; t < 20; ++t) {
      Interaction i = Entry("Success", batch * 100 + t);
      i.response_body += noise.substr((batch * 20 + t) % 1000);
      b.ReplaceTape(Inv("c" + std::to_string(batch), "i-" + std::to_string(t)), {i});
    }
    Status s = store->Write(b);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->tapes == 400);
  CHECK(stats->map_bytes > small.initial_map_bytes);
  CHECK(*store->Verify([](const std::string&, const Status&) {}) == 0);
}

TEST_CASE("store directory and files are private", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  struct stat st;
  REQUIRE(::stat(dir.Sub("s").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  for (const char* f : {"/data.mdb", "/lock.mdb"}) {
    REQUIRE(::stat((dir.Sub("s") + f).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
  }
  REQUIRE(store->CopyCompact(dir.Sub("copy")).ok());
  REQUIRE(::stat((dir.Sub("copy") + "/data.mdb").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a store written by a newer format is refused, not misread", "[tape_store]") {
  test::TempDir dir;
  OpenOrDie(dir.Sub("s"));
  {  // Write format version 2 the way a future ssm-replay would.
    MDB_env* env;
    mdb_env_create(&env);
    mdb_env_set_maxdbs(env, 4);
    REQUIRE(mdb_env_open(env, dir.Sub("s").c_str(), 0, 0600) == 0);
    MDB_txn* txn;
    mdb_txn_begin(env, nullptr, 0, &txn);
    MDB_dbi meta;
    REQUIRE(mdb_dbi_open(txn, "meta", 0, &meta) == 0);
    std::string key = "format_version", value("\x02\0\0\0", 4);
    MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
    REQUIRE(mdb_put(txn, meta, &k, &v, 0) == 0);
    REQUIRE(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
  }
  auto store = TapeStore::Open(dir.Sub("s"));
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().IsNotSupported());
  CHECK_THAT(store.status().message(), Catch::Contains("format 2"));
  CHECK_THAT(store.status().message(), Catch::Contains("newer ssm-replay"));
}

TEST_CASE("opening a missing store read-only says how to make one", "[tape_store]") {
  test::TempDir dir;
  StoreOptions ro;
  ro.read_only = true;
  auto store = TapeStore::Open(dir.Sub("nothing"), ro);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().IsNotFound());
  CHECK_THAT(store.status().message(), Catch::Contains("ssm-replay import"));
}

TEST_CASE("one corrupted byte is found by verify and named", "[tape_store]") {
  test::TempDir dir;
  {
    auto store = OpenOrDie(dir.Sub("s"));
    WriteBatch b;
    b.ReplaceTape(Inv("good", "i-1"), {Entry("Success", 1, 500)});
    b.ReplaceTape(Inv("victim", "i-1"), {Entry("Success", 1, 500), Entry("Failed", 2, 700)});
    REQUIRE(store->Write(b).ok());
  }
  // Flip a byte inside the victim's second record, in the file itself (encoding is deterministic,
  // so the record's bytes can be found).
  std::string path = dir.Sub("s") + "/data.mdb";
  std::string data;
  {
    std::ifstream in(path, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string record = EncodeInteraction(Entry("Failed", 2, 700));
  size_t at = data.find(record);
  REQUIRE(at != std::string::npos);
  data[at + record.size() / 2] = static_cast<char>(data[at + record.size() / 2] ^ 0x01);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
  }
  auto store = OpenOrDie(dir.Sub("s"));
  std::vector<std::string> bad;
  auto n = store->Verify([&](const std::string& tape, const Status&) { bad.push_back(tape); });
  REQUIRE(n.ok());
  CHECK(*n == 1);
  REQUIRE(bad.size() == 1);
  CHECK_THAT(bad[0], Catch::Contains("victim"));
  CHECK(store->ReadTape(Inv("good", "i-1")).ok());
}

TEST_CASE("two processes share a store: one writes while another reads", "[tape_store]") {
  test::TempDir dir;
  auto reader = OpenOrDie(dir.Sub("s"));
  constexpr int kTapes = 300;
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    StoreOptions small;
    small.initial_map_bytes = 128 * 1024;  // forces the writer to grow the map under the reader
    auto writer = TapeStore::Open(dir.Sub("s"), small);
    if (!writer.ok()) _exit(2);
    for (int t = 0; t < kTapes; ++t) {
      WriteBatch b;
      b.ReplaceTape(Inv("cmd", "i-" + std::to_string(t)), {Entry("Success", t, 2000)});
      if (!(*writer)->Write(b).ok()) _exit(3);
    }
    _exit(0);
  }
  size_t seen = 0;
  for (int polls = 0; polls < 100000 && seen < kTapes; ++polls) {
    auto tapes = reader->ListTapes();
    REQUIRE(tapes.ok());
    seen = tapes->size();
    for (const auto& t : *tapes) REQUIRE(reader->ReadTape(t.key).ok());
  }
  int status = 0;
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(reader->ListTapes()->size() == kTapes);
}

TEST_CASE("concurrent writers and readers lose nothing", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < kPerThread; ++n) {
        WriteBatch b;
        b.Append(Inv("shared", "i-" + std::to_string(t % 2)), Entry("T" + std::to_string(t) + "N" + std::to_string(n), n));
        REQUIRE(store->Write(b).ok());
        (void)store->ReadTape(Inv("shared", "i-0"));
      }
    });
  }
  for (auto& th : threads) th.join();
  auto a = store->ReadTape(Inv("shared", "i-0"));
  auto b = store->ReadTape(Inv("shared", "i-1"));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->interactions.size() + b->interactions.size() == kThreads * kPerThread);
  // Each thread's entries keep their order within the tape.
  std::map<std::string, int> last;
  for (const auto& s : Statuses(*a)) {
    auto n = s.find('N');
    std::string thread = s.substr(0, n);
    int seq = std::stoi(s.substr(n + 1));
    CHECK((last.count(thread) == 0 || last[thread] < seq));
    last[thread] = seq;
  }
}

TEST_CASE("a trained dictionary is used for new records; old ones stay readable", "[tape_store]") {
  test::TempDir dir;
  auto store = OpenOrDie(dir.Sub("s"));
  WriteBatch b;
  for (int t = 0; t < 200; ++t) {
    Interaction i = Entry(t % 2 ? "Success" : "InProgress", t);
    i.response_body = R"({"CommandId":"16ea0bfb-5cdb-4254-873d-02)" + std::to_string(1000 + t) +
                      R"(","Status":"Success","StandardOutputContent":"Reading package lists...\nBuilding )"
                      R"(dependency tree...\nnginx is already the newest version)" + std::to_string(t) + R"("})";
    b.ReplaceTape(Inv("before", "i-" + std::to_string(t)), {i});
  }
  REQUIRE(store->Write(b).ok());
  auto before = *store->Stats();
  auto id = store->TrainDictionary(16 * 1024);
  INFO(id.status().ToString());
  REQUIRE(id.ok());
  CHECK(*id != 0);
  WriteBatch again;
  for (const auto& e : b.entries()) again.ReplaceTape(Inv("after", e.key.instance_id()), e.interactions);
  REQUIRE(store->Write(again).ok());
  auto after = *store->Stats();
  CHECK(after.dictionary_id == *id);
  uint64_t stored_after = after.stored_bytes - before.stored_bytes;
  CHECK(stored_after < before.stored_bytes);  // same content, smaller with the dictionary
  CHECK(*store->Verify([](const std::string&, const Status&) {}) == 0);
  // A second handle (another process would be the same) reads both kinds.
  store.reset();
  auto reopened = OpenOrDie(dir.Sub("s"));
  CHECK(reopened->ReadTape(Inv("before", "i-3")).ok());
  CHECK(reopened->ReadTape(Inv("after", "i-3")).ok());
}
