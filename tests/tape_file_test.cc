#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <ctime>
#include <cstdio>

#include "store/canonical_json.h"
#include "store/tape_file/tape_file.h"
#include "test_util.h"

using namespace ssm;

namespace {
const char* kMinimal = R"({
  "ssmReplayTape": 1,
  "key": {"action": "GetCommandInvocation", "CommandId": "c", "InstanceId": "i-1"},
  "interactions": [
    {"recordedAt": "2026-10-14T09:12:03.578Z", "upstreamLatencyMicros": 5, "source": "fixture",
     "request": {"InstanceId": "i-1", "CommandId": "c"},
     "response": {"status": 200, "headers": {"Content-Type": "application/x-amz-json-1.1"},
                  "body": {"Status": "Success", "CommandId": "c"}}}
  ]
})";
}  // namespace

TEST_CASE("every bundled fixture prints back byte for byte", "[tape_file]") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SSM_FIXTURES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    std::string text = test::ReadWholeFile(entry.path());
    auto tape = ParseTapeFile(text, entry.path().string());
    INFO(entry.path().string() << ": " << tape.status().ToString());
    REQUIRE(tape.ok());
    CHECK(FormatTapeFile(*tape) == text);
    std::string relative = std::filesystem::relative(entry.path(), SSM_FIXTURES_DIR).string();
    CHECK(TapeFileName(tape->key) == relative);
  }
  CHECK(files >= 10);
}

TEST_CASE("response bodies keep their member order and bytes", "[tape_file]") {
  auto tape = ParseTapeFile(kMinimal, "minimal.json");
  REQUIRE(tape.ok());
  REQUIRE(tape->interactions.size() == 1);
  CHECK(tape->interactions[0].response_body == R"({"Status":"Success","CommandId":"c"})");
  CHECK(tape->interactions[0].request_body == R"({"CommandId":"c","InstanceId":"i-1"})");
  CHECK(tape->interactions[0].recorded_at_ms == 1791969123578);
}

TEST_CASE("bodies that are not exact JSON are kept as text or base64", "[tape_file]") {
  auto tape = ParseTapeFile(kMinimal, "minimal.json");
  REQUIRE(tape.ok());
  for (std::string body : {std::string("{\"a\": 1}"), std::string("not json at all"), std::string("\xff\xfe\0x", 4),
                           std::string("{\"n\":1.50}"), std::string()}) {
    tape->interactions[0].response_body = body;
    std::string text = FormatTapeFile(*tape);
    auto back = ParseTapeFile(text, "round-trip");
    REQUIRE(back.ok());
    CHECK(back->interactions[0].response_body == body);
  }
}

TEST_CASE("bad tape files are refused with the field named", "[tape_file]") {
  auto expect_error = [](const std::string& text, const std::string& mention) {
    auto tape = ParseTapeFile(text, "bad.json");
    REQUIRE_FALSE(tape.ok());
    CHECK_THAT(tape.status().message(), Catch::Contains("bad.json"));
    CHECK_THAT(tape.status().message(), Catch::Contains(mention));
  };
  std::string good = kMinimal;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  expect_error("{", "not valid JSON");
  expect_error("{}", "ssmReplayTape");
  expect_error(with("\"ssmReplayTape\": 1", "\"ssmReplayTape\": 9"), "newer");
  expect_error(with("\"status\": 200", "\"status\": \"200\""), "interactions[0].response.status");
  expect_error(with("2026-10-14T09:12:03.578Z", "yesterday"), "recordedAt");
  expect_error(with("\"InstanceId\": \"i-1\", \"CommandId\"", "\"InstanceId\": \"i-2\", \"CommandId\""),
               "does not match the tape's key");
  expect_error(with("\"Content-Type\"", "\"Authorization\": \"AWS4-HMAC-SHA256 x\", \"Content-Type\""),
               "never stored");
  expect_error(with("\"CommandId\": \"c\", \"InstanceId\": \"i-1\"}", "\"CommandId\": \"c\"}"), "key.InstanceId");
}

TEST_CASE("file names follow the key", "[tape_file]") {
  CHECK(TapeFileName(*TapeKey::ForInvocation("c", "i-1", std::nullopt)) == "get-command-invocation/c_i-1.json");
  CHECK(TapeFileName(*TapeKey::ForInvocation("c", "i-1", std::string("aws:runShellScript"))) ==
        "get-command-invocation/c_i-1_aws_runShellScript.json");
  auto send = TapeKey::ForAction("SendCommand", "{}");
  CHECK(TapeFileName(*send).rfind("send-command/", 0) == 0);
}

TEST_CASE("recordedAt is read exactly, and only in its one spelling", "[tape_file]") {
  auto parse_at = [](const std::string& at) {
    std::string text = kMinimal;
    text.replace(text.find("2026-10-14T09:12:03.578Z"), 24, at);
    return ParseTapeFile(text, "t.json");
  };
  std::mt19937_64 rng(3);
  for (int n = 0; n < 2000; ++n) {
    int64_t ms = static_cast<int64_t>(rng() % 253402300800000ull);  // 1970 .. 9999
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char at[64];
    std::snprintf(at, sizeof at, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    auto tape = parse_at(at);
    INFO(at);
    REQUIRE(tape.ok());
    CHECK(tape->interactions[0].recorded_at_ms == ms);
  }
  CHECK(parse_at("2024-02-29T00:00:00.000Z").ok());
  CHECK(parse_at("1970-01-01T00:00:00.000Z")->interactions[0].recorded_at_ms == 0);
  CHECK(parse_at("1969-12-31T23:59:59.000Z")->interactions[0].recorded_at_ms == -1000);
  for (const char* bad : {"2026-02-29T00:00:00.000Z", "2100-02-29T00:00:00.000Z", "2026-04-31T00:00:00.000Z",
                          "2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "2026-01-00T00:00:00.000Z",
                          "2026-01-01T24:00:00.000Z", "2026-01-01T23:60:00.000Z", "2026-01-01T23:59:60.000Z",
                          "2026-01-01T23:59:59.000", "2026-01-01 23:59:59.000Z", "2026-01-01T23:59:59.00Z",
                          "2026-01-01T23:59:59.0000Z", " 026-01-01T23:59:59.000Z", "+026-01-01T23:59:59.000Z",
                          "2026-1-01T23:59:59.000Z", "2026-01-01T23:59:59.000z", "1969-12-31T23:59:59.500Z", ""}) {
    INFO(bad);
    auto tape = parse_at(bad);
    REQUIRE_FALSE(tape.ok());
    CHECK_THAT(tape.status().message(), Catch::Contains("recordedAt"));
  }
}

TEST_CASE("requests are stored in canonical form", "[tape_file]") {
  for (std::string request : {R"({"InstanceId": "i-1", "CommandId": "c", "Z": null, "B": [1, {"y": 2, "x": 1}],
                                  "\u00e9": 1.50, "\u0001": true, "A\"": -3, "a": 1e2})",
                              R"({"InstanceId": "i-1", "CommandId": "c", "Z": null, "\u00e9": 1.50, "\u0001": true,
                                  "A\"": -3, "\u007f": "\u00e9\n", "a": 18446744073709551615, "b": -0})"}) {
    std::string text = kMinimal;
    std::string from = R"({"InstanceId": "i-1", "CommandId": "c"})";
    text.replace(text.find(from), from.size(), request);
    auto tape = ParseTapeFile(text, "r.json");
    INFO(request);
    REQUIRE(tape.ok());
    CHECK(tape->interactions[0].request_body == *CanonicalJson(request));
  }
}
