// The store's automatic zstd dictionary (store/auto_dictionary.h, TapeStore::InstallDictionary and
// ReencodeWithoutDictionary): when it is trained, that the records before it are re-encoded, that
// stores from before it keep working, and that a recorder's store ends with one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "proxy/record/batching_recorder.h"
#include "store/record_codec.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

namespace ssm {
namespace {

TapeKey Key(int n) { return *TapeKey::ForInvocation("cmd-" + std::to_string(n % 97), "i-" + std::to_string(n), std::nullopt); }

// A GetCommandInvocation answer, varied enough for zstd to train on.
Interaction Answer(int n) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.request_body = R"({"CommandId":"cmd-)" + std::to_string(n % 97) + R"(","InstanceId":"i-)" + std::to_string(n) + "\"}";
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", std::to_string(n * 7919)}};
  i.response_body = R"({"CommandId":"cmd-)" + std::to_string(n % 97) + R"(","Status":")" +
                    (n % 3 ? "Success" : "InProgress") + R"(","StandardOutputContent":"Reading package lists...\n)" +
                    "Building dependency tree " + std::to_string(n * 31) + R"(\nnginx is already the newest version (1.)" +
                    std::to_string(n % 13) + R"().\n0 upgraded, 0 newly installed","ResponseCode":0})";
  i.recorded_at_ms = 1700000000000 + n;
  i.upstream_latency_us = 1000 + n % 500;
  i.source = "test";
  return i;
}

std::unique_ptr<TapeStore> Open(const std::string& dir, uint64_t auto_records) {
  StoreOptions options;
  options.auto_dictionary_records = auto_records;
  auto store = TapeStore::Open(dir, options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Writes tapes `first` .. `first + count - 1`, one interaction each, in one batch.
void WriteTapes(TapeStore* store, int first, int count) {
  WriteBatch batch;
  for (int n = first; n < first + count; ++n) batch.ReplaceTape(Key(n), {Answer(n)});
  Status s = store->Write(batch);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

// The dictionary id each stored record of tapes [0, count) names (store/FORMAT.md: bytes 1..4, LE).
std::vector<uint32_t> RecordDictionaries(const TapeStore& store, int count) {
  std::vector<uint32_t> ids;
  TapeStore::StoredEntry entry;
  for (int n = 0; n < count; ++n) {
    Status s = store.ReadStoredEntry(Key(n), [](size_t) { return size_t{0}; }, &entry);
    INFO(s.ToString());
    REQUIRE(s.ok());
    REQUIRE(entry.record.size() > 5);
    uint32_t id = 0;
    for (int b = 0; b < 4; ++b) id |= uint32_t(static_cast<uint8_t>(entry.record[1 + b])) << (8 * b);
    ids.push_back(id);
  }
  return ids;
}

// Every tape [0, count) holds exactly Answer(n), and the store verifies (summaries agree with records).
void CheckContents(const TapeStore& store, int count) {
  for (int n = 0; n < count; ++n) {
    auto tape = store.ReadTape(Key(n));
    REQUIRE(tape.ok());
    REQUIRE(tape->interactions.size() == 1);
    CHECK(tape->interactions[0] == Answer(n));
  }
  std::vector<std::string> bad;
  auto problems = store.Verify([&](const std::string& tape, const Status& s) { bad.push_back(tape + ": " + s.ToString()); });
  REQUIRE(problems.ok());
  INFO((bad.empty() ? std::string() : bad.front()));
  CHECK(*problems == 0);
}

TEST_CASE("no dictionary below the threshold; at it, one is trained and every older record re-encoded",
          "[auto_dictionary]") {
  test::TempDir dir;
  auto store = Open(dir.Sub("s"), 300);
  WriteTapes(store.get(), 0, 299);
  REQUIRE(store->WaitForBackgroundWork().ok());
  CHECK(store->DictionaryId() == 0);
  uint64_t stored_without = store->Stats()->stored_bytes;

  WriteTapes(store.get(), 299, 1);  // the 300th record
  Status s = store->WaitForBackgroundWork();
  INFO(s.ToString());
  REQUIRE(s.ok());
  uint32_t id = store->DictionaryId();
  REQUIRE(id != 0);
  for (uint32_t used : RecordDictionaries(*store, 300)) CHECK(used == id);
  CheckContents(*store, 300);
  // The summaries' stored bytes followed the re-encoding: the same records, now smaller.
  CHECK(store->Stats()->stored_bytes < stored_without * 3 / 4);

  // Later writes use it and train nothing more.
  WriteTapes(store.get(), 300, 400);
  REQUIRE(store->WaitForBackgroundWork().ok());
  CHECK(store->DictionaryId() == id);
  for (uint32_t used : RecordDictionaries(*store, 700)) CHECK(used == id);
}

TEST_CASE("a store without a dictionary from before is read as it is, and re-encoded once it grows",
          "[auto_dictionary]") {
  test::TempDir dir;
  {
    auto old = Open(dir.Sub("s"), 0);  // as a build without the automatic dictionary wrote it
    WriteTapes(old.get(), 0, 500);
    REQUIRE(old->WaitForBackgroundWork().ok());
    CHECK(old->DictionaryId() == 0);
  }
  {
    StoreOptions read_only;
    read_only.read_only = true;
    auto reader = TapeStore::Open(dir.Sub("s"), read_only);
    REQUIRE(reader.ok());
    CheckContents(**reader, 500);
    CHECK((*reader)->DictionaryId() == 0);  // reading never trains
  }
  auto store = Open(dir.Sub("s"), 300);
  WriteTapes(store.get(), 500, 10);  // a write over the threshold starts it
  REQUIRE(store->WaitForBackgroundWork().ok());
  uint32_t id = store->DictionaryId();
  REQUIRE(id != 0);
  for (uint32_t used : RecordDictionaries(*store, 510)) CHECK(used == id);
  CheckContents(*store, 510);
}

TEST_CASE("a store that has a dictionary keeps it: writes train no other", "[auto_dictionary]") {
  test::TempDir dir;
  auto store = Open(dir.Sub("s"), 0);
  WriteTapes(store.get(), 0, 200);
  auto trained = store->TrainDictionary(16 * 1024);
  INFO(trained.status().ToString());
  REQUIRE(trained.ok());
  store.reset();

  store = Open(dir.Sub("s"), 100);
  WriteTapes(store.get(), 200, 300);
  REQUIRE(store->WaitForBackgroundWork().ok());
  CHECK(store->DictionaryId() == *trained);
  std::vector<uint32_t> ids = RecordDictionaries(*store, 500);
  for (int n = 0; n < 200; ++n) CHECK(ids[n] == 0);  // written before train-dict: left as they are
  for (int n = 200; n < 500; ++n) CHECK(ids[n] == *trained);
  CheckContents(*store, 500);
}

TEST_CASE("InstallDictionary then ReencodeWithoutDictionary: what import does, and a stop leaves the store whole",
          "[auto_dictionary]") {
  test::TempDir dir;
  auto store = Open(dir.Sub("s"), 0);
  WriteTapes(store.get(), 0, 400);
  std::vector<std::string> samples;
  for (int n = 0; n < 1000; ++n) samples.push_back(SerializeInteraction(Answer(n)));
  auto id = store->InstallDictionary(samples, 16 * 1024);
  REQUIRE(id.ok());
  CHECK(store->DictionaryId() == *id);

  std::atomic<bool> stop{true};  // stops after the first slice, which holds all 400 here
  auto first = store->ReencodeWithoutDictionary(&stop);
  REQUIRE(first.ok());
  CHECK(*first == 400);
  auto again = store->ReencodeWithoutDictionary();
  REQUIRE(again.ok());
  CHECK(*again == 0);  // nothing left without the dictionary
  CheckContents(*store, 400);
}

TEST_CASE("a re-encode stopped midway is resumed by the next writer that opens the store", "[auto_dictionary]") {
  test::TempDir dir;
  constexpr int kCount = 5000;  // more than one slice (2,000 records re-encoded a slice)
  {
    auto store = Open(dir.Sub("s"), 0);
    WriteTapes(store.get(), 0, kCount);
    std::vector<std::string> samples;
    for (int n = 0; n < 1000; ++n) samples.push_back(SerializeInteraction(Answer(n)));
    auto id = store->InstallDictionary(samples, 16 * 1024);
    REQUIRE(id.ok());
    std::atomic<bool> stop{true};  // the process "stops" after the first slice
    auto first = store->ReencodeWithoutDictionary(&stop);
    REQUIRE(first.ok());
    REQUIRE(*first > 0);
    REQUIRE(*first < kCount);
    CHECK(store->ReencodePending());
  }
  {
    // A reader does not resume it (it cannot write); the records are readable as they are.
    StoreOptions read_only;
    read_only.read_only = true;
    auto reader = TapeStore::Open(dir.Sub("s"), read_only);
    REQUIRE(reader.ok());
    auto ids = RecordDictionaries(**reader, kCount);
    CHECK(std::count(ids.begin(), ids.end(), 0u) > 0);
  }
  auto store = Open(dir.Sub("s"), kAutoDictionaryRecords);  // as serve in record mode or import opens it
  REQUIRE(store->WaitForBackgroundWork().ok());
  auto ids = RecordDictionaries(*store, kCount);
  CHECK(std::count(ids.begin(), ids.end(), store->DictionaryId()) == kCount);
  CheckContents(*store, kCount);
  CHECK_FALSE(store->ReencodePending());  // finished: the next open has nothing to resume
}

TEST_CASE("a recorder's store ends with a dictionary, every record using it", "[auto_dictionary][recorder]") {
  test::TempDir dir;
  auto store = Open(dir.Sub("s"), 500);
  constexpr int kThreads = 4, kPerThread = 400;
  {
    BatchingRecorder recorder(store.get(), {});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          int n = t * kPerThread + i;
          // Every call answered is committed, training or not.
          Status s = recorder.Record(Key(n), Answer(n));
          if (!s.ok()) FAIL_CHECK(s.ToString());
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  Status s = store->WaitForBackgroundWork();
  INFO(s.ToString());
  REQUIRE(s.ok());
  uint32_t id = store->DictionaryId();
  REQUIRE(id != 0);
  int with = 0;
  for (uint32_t used : RecordDictionaries(*store, kThreads * kPerThread)) with += used == id;
  // Records encoded before the dictionary was current and written after the re-encoding passed their
  // key keep none; the rest (nearly all) use it.
  CHECK(with >= kThreads * kPerThread * 95 / 100);
  CheckContents(*store, kThreads * kPerThread);
}

}  // namespace
}  // namespace ssm
