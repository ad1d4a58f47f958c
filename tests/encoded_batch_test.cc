#include <catch2/catch.hpp>

#include <thread>

#include "store/record_codec.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

using namespace ssm;

namespace {

Interaction Entry(const std::string& status, int64_t at_ms) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.request_body = R"({"CommandId":"c","InstanceId":"i"})";
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  i.response_body = R"({"Status":")" + status + R"(","StandardOutputContent":")" + std::string(500, 'o') + "\"}";
  i.recorded_at_ms = at_ms;
  i.upstream_latency_us = 1000;
  i.source = "test";
  return i;
}

TapeKey Inv(const std::string& c, const std::string& i) { return *TapeKey::ForInvocation(c, i, std::nullopt); }

std::unique_ptr<TapeStore> Open(const std::string& dir) {
  auto store = TapeStore::Open(dir);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Everything a reader sees of a store: every tape's summary and interactions.
std::vector<std::pair<TapeInfo, std::vector<Interaction>>> Contents(const TapeStore& store) {
  std::vector<std::pair<TapeInfo, std::vector<Interaction>>> out;
  auto infos = store.ListTapes();
  REQUIRE(infos.ok());
  for (const auto& info : *infos) {
    auto tape = store.ReadTape(info.key);
    REQUIRE(tape.ok());
    out.emplace_back(info, tape->interactions);
  }
  return out;
}

bool Same(const TapeInfo& a, const TapeInfo& b) {
  return a.key == b.key && a.interactions == b.interactions && a.raw_bytes == b.raw_bytes &&
         a.stored_bytes == b.stored_bytes && a.first_recorded_ms == b.first_recorded_ms &&
         a.last_recorded_ms == b.last_recorded_ms;
}

}  // namespace

TEST_CASE("Write(Encode(batch)) stores what Write(batch) stores", "[encoded_batch]") {
  test::TempDir dir;
  auto direct = Open(dir.Sub("direct"));
  auto split = Open(dir.Sub("split"));
  std::vector<WriteBatch> batches(3);
  batches[0].ReplaceTape(Inv("c1", "i1"), {Entry("Pending", 1000), Entry("Success", 2000)});
  batches[0].ReplaceTape(Inv("c2", "i1"), {});
  batches[0].Append(Inv("c3", "i1"), Entry("InProgress", 3000));
  batches[1].Append(Inv("c1", "i1"), Entry("Success", 4000));             // after a replaced tape
  batches[1].ReplaceTape(Inv("c3", "i1"), {Entry("Failed", 5000)});        // replaces an appended one
  batches[1].ReplaceTape(Inv("c4", "i1"), {Entry("Pending", 6000)});
  batches[1].ReplaceTape(Inv("c4", "i1"), {Entry("Success", 7000)});       // the later one wins
  batches[2].DeleteTape(Inv("c2", "i1"));
  batches[2].Append(Inv("c4", "i1"), Entry("Success", 8000));
  for (const auto& batch : batches) {
    REQUIRE(direct->Write(batch).ok());
    EncodedBatch encoded = split->Encode(batch);
    CHECK(encoded.size() == batch.size());
    REQUIRE(split->Write(encoded).ok());
    auto a = Contents(*direct), b = Contents(*split);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      INFO(a[i].first.key.Describe());
      CHECK(Same(a[i].first, b[i].first));
      CHECK(a[i].second == b[i].second);
      // The summary agrees with the records (encoding is deterministic).
      const TapeInfo& info = b[i].first;
      const std::vector<Interaction>& records = b[i].second;
      uint64_t raw = 0, stored = 0;
      for (const auto& r : records) {
        raw += SerializeInteraction(r).size();
        stored += EncodeInteraction(r).size();
      }
      CHECK(info.interactions == records.size());
      CHECK(info.raw_bytes == raw);
      CHECK(info.stored_bytes == stored);
      CHECK(info.first_recorded_ms == (records.empty() ? 0 : records.front().recorded_at_ms));
      CHECK(info.last_recorded_ms == (records.empty() ? 0 : records.back().recorded_at_ms));
    }
  }
  auto tapes = Contents(*split);
  REQUIRE(tapes.size() == 3);
  CHECK(tapes[0].first.interactions == 3);  // c1: replaced with two, then one appended
  CHECK(tapes[0].first.first_recorded_ms == 1000);
  CHECK(tapes[0].first.last_recorded_ms == 4000);
  CHECK(tapes[2].first.interactions == 2);  // c4: the second replace, then an append
  CHECK(tapes[2].second[0].recorded_at_ms == 7000);
  CHECK(split->Verify([](const std::string&, const Status&) {}).value() == 0);
}

TEST_CASE("batches encoded on several threads at once, appended, write as one", "[encoded_batch]") {
  test::TempDir dir;
  auto store = Open(dir.Sub("s"));
  constexpr int kThreads = 4, kTapes = 50;
  std::vector<EncodedBatch> parts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      WriteBatch batch;
      for (int n = 0; n < kTapes; ++n) {
        batch.ReplaceTape(Inv("c" + std::to_string(t), "i" + std::to_string(n)),
                          {Entry("Pending", 1000 + n), Entry("Success", 2000 + n)});
      }
      parts[t] = store->Encode(batch);
    });
  }
  for (auto& t : threads) t.join();
  EncodedBatch all;
  for (auto& part : parts) all.Append(std::move(part));
  CHECK(all.size() == kThreads * kTapes);
  REQUIRE(store->Write(all).ok());
  auto stats = store->Stats();
  REQUIRE(stats.ok());
  CHECK(stats->tapes == kThreads * kTapes);
  CHECK(stats->interactions == 2 * kThreads * kTapes);
  CHECK(store->Verify([](const std::string&, const Status&) {}).value() == 0);
}
