#include "proxy/record/batching_recorder.h"

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TapeKey Key(int i) {
  auto k = TapeKey::ForInvocation("cmd-" + std::to_string(i), "i-0123456789abcdef0", std::nullopt);
  REQUIRE(k.ok());
  return k.value();
}

Interaction Entry(const std::string& body) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 200;
  in.response_body = body;
  return in;
}

// An in-memory store applying batches the way TapeStore::Write does, with an optional slow commit
// (a disk sync) and an optional failure.
struct FakeStore {
  std::mutex mu;
  std::map<std::string, std::vector<std::string>> tapes;  // encoded key -> response bodies
  std::vector<size_t> batch_sizes;
  std::vector<std::vector<WriteBatch::Op>> ops;
  std::chrono::milliseconds commit_time{0};
  bool fail = false;

  Status Commit(const WriteBatch& batch) {
    std::this_thread::sleep_for(commit_time);
    std::lock_guard<std::mutex> lock(mu);
    batch_sizes.push_back(batch.size());
    if (fail) return Status::IOError("disk full");
    std::vector<WriteBatch::Op> these;
    for (const auto& e : batch.entries()) {
      these.push_back(e.op);
      auto& tape = tapes[e.key.encoded()];
      if (e.op == WriteBatch::Op::kReplace) tape.clear();
      for (const auto& in : e.interactions) tape.push_back(in.response_body);
    }
    ops.push_back(these);
    return Status::OK();
  }
  BatchingRecorder::CommitFn Fn() {
    return [this](const WriteBatch& b) { return Commit(b); };
  }
};

TEST_CASE("batching recorder: first record of a run replaces, later ones append", "[recorder]") {
  FakeStore fake;
  fake.tapes[Key(1).encoded()] = {"old-1", "old-2"};
  {
    BatchingRecorder rec(fake.Fn(), {});
    REQUIRE(rec.Record(Key(1), Entry("a")).ok());
    REQUIRE(rec.Record(Key(1), Entry("b")).ok());
    REQUIRE(rec.Record(Key(2), Entry("c")).ok());
  }
  CHECK(fake.tapes[Key(1).encoded()] == std::vector<std::string>{"a", "b"});
  CHECK(fake.tapes[Key(2).encoded()] == std::vector<std::string>{"c"});
  REQUIRE(fake.ops.size() == 3);
  CHECK(fake.ops[0] == std::vector<WriteBatch::Op>{WriteBatch::Op::kReplace});
  CHECK(fake.ops[1] == std::vector<WriteBatch::Op>{WriteBatch::Op::kAppend});

  // A new run (a new recorder) replaces again: recording twice does not double a tape.
  {
    BatchingRecorder rec(fake.Fn(), {});
    REQUIRE(rec.Record(Key(1), Entry("x")).ok());
  }
  CHECK(fake.tapes[Key(1).encoded()] == std::vector<std::string>{"x"});
}

TEST_CASE("batching recorder: --append keeps older entries", "[recorder]") {
  FakeStore fake;
  fake.tapes[Key(1).encoded()] = {"old"};
  BatchingRecorder rec(fake.Fn(), {/*append=*/true});
  REQUIRE(rec.Record(Key(1), Entry("new")).ok());
  CHECK(fake.tapes[Key(1).encoded()] == std::vector<std::string>{"old", "new"});
}

TEST_CASE("batching recorder: a failed commit is reported and the key still replaces next time",
          "[recorder]") {
  FakeStore fake;
  fake.tapes[Key(1).encoded()] = {"old"};
  BatchingRecorder rec(fake.Fn(), {});
  fake.fail = true;
  Status s = rec.Record(Key(1), Entry("lost"));
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("disk full") != std::string::npos);
  fake.fail = false;
  REQUIRE(rec.Record(Key(1), Entry("kept")).ok());
  CHECK(fake.tapes[Key(1).encoded()] == std::vector<std::string>{"kept"});
}

TEST_CASE("batching recorder: concurrent records are all committed, in order per key, in few commits",
          "[recorder]") {
  FakeStore fake;
  fake.commit_time = std::chrono::milliseconds(2);  // a disk sync: records pile up meanwhile
  fake.tapes[Key(0).encoded()] = {"stale"};
  constexpr int kThreads = 16, kPerThread = 40, kKeys = 3;
  {
    BatchingRecorder rec(fake.Fn(), {});
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          // Each thread sticks to one key per record but cycles keys, so keys are shared.
          int k = (t + i) % kKeys;
          if (!rec.Record(Key(k), Entry(std::to_string(t) + ":" + std::to_string(i))).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    CHECK(rec.commits() < static_cast<uint64_t>(kThreads * kPerThread));  // group commit happened
  }
  size_t total = 0;
  for (int k = 0; k < kKeys; ++k) {
    const auto& tape = fake.tapes[Key(k).encoded()];
    total += tape.size();
    std::map<int, int> last_i;  // per thread, the last index seen on this tape
    for (const auto& body : tape) {
      REQUIRE(body != "stale");  // the older tape was replaced
      int t = std::stoi(body.substr(0, body.find(':')));
      int i = std::stoi(body.substr(body.find(':') + 1));
      CHECK((i + t) % kKeys == k);
      if (last_i.count(t)) CHECK(i > last_i[t]);
      last_i[t] = i;
    }
  }
  CHECK(total == static_cast<size_t>(kThreads * kPerThread));
  // Exactly one Replace per key over the whole run.
  int replaces = 0;
  for (const auto& batch : fake.ops)
    for (auto op : batch) replaces += op == WriteBatch::Op::kReplace;
  CHECK(replaces == kKeys);
}

}  // namespace
}  // namespace ssm

namespace ssm {
namespace {

// A scratch directory removed when the test ends.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/ssm-recorder-test-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

TEST_CASE("batching recorder over a real TapeStore: concurrent records all land, in order per key",
          "[recorder][store]") {
  TempDir dir;
  auto opened = TapeStore::Open(dir.path + "/store");
  REQUIRE(opened.ok());
  std::unique_ptr<TapeStore> store = std::move(opened).value();
  {
    WriteBatch old;
    old.ReplaceTape(Key(0), {Entry("stale-0"), Entry("stale-1")});
    REQUIRE(store->Write(old).ok());
  }
  constexpr int kThreads = 8, kPerThread = 24, kKeys = 2;
  {
    BatchingRecorder rec(store.get(), {});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          Status s = rec.Record(Key(i % kKeys), Entry(std::to_string(t) + ":" + std::to_string(i)));
          if (!s.ok()) FAIL_CHECK(s.ToString());
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  size_t total = 0;
  for (int k = 0; k < kKeys; ++k) {
    auto tape = store->ReadTape(Key(k));
    REQUIRE(tape.ok());
    std::map<int, int> last_i;
    for (const auto& in : tape->interactions) {
      REQUIRE(in.response_body.rfind("stale", 0) != 0);
      int t = std::stoi(in.response_body.substr(0, in.response_body.find(':')));
      int i = std::stoi(in.response_body.substr(in.response_body.find(':') + 1));
      CHECK(i % kKeys == k);
      if (last_i.count(t)) CHECK(i > last_i[t]);
      last_i[t] = i;
    }
    total += tape->interactions.size();
  }
  CHECK(total == static_cast<size_t>(kThreads * kPerThread));

  // A second run with --append keeps the first run's entries.
  {
    BatchingRecorder rec(store.get(), {/*append=*/true});
    REQUIRE(rec.Record(Key(1), Entry("appended")).ok());
  }
  auto tape1 = store->ReadTape(Key(1));
  REQUIRE(tape1.ok());
  CHECK(tape1->interactions.size() == static_cast<size_t>(kThreads * kPerThread / kKeys + 1));
  CHECK(tape1->interactions.back().response_body == "appended");
}

}  // namespace
}  // namespace ssm
