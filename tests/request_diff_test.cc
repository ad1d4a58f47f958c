#include "proxy/replay/request_diff.h"

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TEST_CASE("request diff lists the members that differ, at every depth", "[request_diff]") {
  auto d = DiffRequestBodies(R"({"Comment":"new","DocumentName":"AWS-RunShellScript",
                                  "Parameters":{"commands":["uptime","df"]},"TimeoutSeconds":60})",
                             R"({"DocumentName":"AWS-RunShellScript","OutputS3BucketName":"b",
                                  "Parameters":{"commands":["uptime","du"]},"TimeoutSeconds":30})");
  REQUIRE(d.size() == 4);
  CHECK(d[0].path == "Comment");
  CHECK(d[0].requested == std::optional<std::string>("\"new\""));
  CHECK_FALSE(d[0].recorded);
  CHECK(d[1].path == "OutputS3BucketName");
  CHECK_FALSE(d[1].requested);
  CHECK(d[1].recorded == std::optional<std::string>("\"b\""));
  CHECK(d[2].path == "Parameters.commands[1]");
  CHECK(d[2].requested == std::optional<std::string>("\"df\""));
  CHECK(d[2].recorded == std::optional<std::string>("\"du\""));
  CHECK(d[3].path == "TimeoutSeconds");
  CHECK(d[3].requested == std::optional<std::string>("60"));
  CHECK(d[3].recorded == std::optional<std::string>("30"));
}

TEST_CASE("request diff: equal bodies, arrays of other lengths, empty and non-object bodies", "[request_diff]") {
  CHECK(DiffRequestBodies(R"({"a":1,"b":[1,2]})", R"({"b":[1,2],"a":1})").empty());
  CHECK(DiffRequestBodies("", "{}").empty());
  auto lengths = DiffRequestBodies(R"({"InstanceIds":["i-1"]})", R"({"InstanceIds":["i-1","i-2"]})");
  REQUIRE(lengths.size() == 1);
  CHECK(lengths[0].path == "InstanceIds");
  CHECK(lengths[0].recorded == std::optional<std::string>(R"(["i-1","i-2"])"));
  auto whole = DiffRequestBodies("[1]", "{}");
  REQUIRE(whole.size() == 1);
  CHECK(whole[0].path == "(body)");
  auto not_json = DiffRequestBodies("{oops", "{}");
  REQUIRE(not_json.size() == 1);
  CHECK(not_json[0].requested == std::optional<std::string>("\"{oops\""));
}

}  // namespace
}  // namespace ssm
