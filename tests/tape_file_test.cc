#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/tape_file.h"

using namespace ssm;

namespace {
std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

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
    std::string text = Slurp(entry.path());
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
