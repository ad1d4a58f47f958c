// SortedRuns (tools/cmd_import_runs.h): an import's chunks merged back in key order.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/test_util.h"
#include "tools/cmd_import_runs.h"

namespace ssm {
namespace {

EncodedBatch::Entry Entry(const std::string& command_id, const std::string& value) {
  EncodedBatch::Entry e;
  e.op = WriteBatch::Op::kReplace;
  e.key = *TapeKey::ForInvocation(command_id, "i-1", std::nullopt);
  e.values = {value, value + "-second"};
  e.raw_bytes = 7;
  e.first_recorded_ms = 1;
  e.last_recorded_ms = 2;
  e.summary = "summary of " + value;
  return e;
}

TEST_CASE("sorted runs merge every entry back in key order; one key's entries in the order added",
          "[import_runs]") {
  test::TempDir dir;
  SortedRuns runs(dir.path());
  EncodedBatch first, second;
  for (const char* c : {"m", "c", "x", "a"}) first.Add(Entry(c, std::string("1") + c));
  for (const char* c : {"b", "m", "z", "c"}) second.Add(Entry(c, std::string("2") + c));
  second.Add(Entry("m", "2m-again"));
  REQUIRE(runs.Add(first).ok());
  REQUIRE(runs.Add(second).ok());
  CHECK(runs.runs() == 2);

  std::vector<std::string> merged;
  std::vector<size_t> batch_sizes;
  Status s = runs.Merge(3, [&](const EncodedBatch& batch) {
    batch_sizes.push_back(batch.size());
    for (const auto& e : batch.entries()) {
      CHECK(e.values.size() == 2);
      CHECK(e.values[1] == e.values[0] + "-second");
      CHECK(e.summary == "summary of " + e.values[0]);
      CHECK(e.raw_bytes == 7);
      CHECK(e.last_recorded_ms == 2);
      CHECK(e.op == WriteBatch::Op::kReplace);
      merged.push_back(e.key.command_id() + ":" + e.values[0]);
    }
    return Status::OK();
  });
  REQUIRE(s.ok());
  CHECK(merged == std::vector<std::string>{"a:1a", "b:2b", "c:1c", "c:2c", "m:1m", "m:2m", "m:2m-again", "x:1x",
                                           "z:2z"});
  CHECK(batch_sizes == std::vector<size_t>{3, 3, 3});
}

TEST_CASE("a failed write stops the merge with its Status", "[import_runs]") {
  test::TempDir dir;
  SortedRuns runs(dir.path());
  EncodedBatch batch;
  for (const char* c : {"a", "b", "c", "d"}) batch.Add(Entry(c, c));
  REQUIRE(runs.Add(batch).ok());
  int writes = 0;
  Status s = runs.Merge(2, [&](const EncodedBatch&) {
    ++writes;
    return Status::IOError("disk full");
  });
  CHECK(writes == 1);
  CHECK(s.message() == "disk full");
}

}  // namespace
}  // namespace ssm
