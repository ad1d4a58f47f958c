#include "proxy/http/access_log.h"

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace ssm {
namespace {

TEST_CASE("an access line is one JSON object with the documented fields", "[access_log]") {
  TapeKey key = TapeKey::ForInvocation("3f6b2a9e-1c4d", "i-0123456789abcdef0", std::nullopt).value();
  std::string line = FormatAccessEntry({"POST", "/", "GetCommandInvocation", &key, Outcome::kHit, 200, 87});
  CHECK(line == R"j({"action":"GetCommandInvocation","key":"GetCommandInvocation CommandId=3f6b2a9e-1c4d )j"
                R"j(InstanceId=i-0123456789abcdef0 PluginName=(absent)","method":"POST","outcome":"hit","path":"/",)j"
                R"j("status":200,"us":87})j");
}

TEST_CASE("client bytes cannot forge or break an access line", "[access_log]") {
  TapeKey key = TapeKey::ForInvocation("x\"}\n{\"forged\":1", "i-1", std::string("caf\xc3\xa9")).value();
  std::string path = "/a\"b\\c\r\nd\x01\xff";  // quotes, backslash, CR LF, control byte, invalid UTF-8
  std::string line = FormatAccessEntry({"GET", path, "", &key, Outcome::kError, 0, 3});
  CHECK(line.find('\n') == std::string::npos);
  CHECK(line.find('\r') == std::string::npos);
  nlohmann::json parsed = nlohmann::json::parse(line);  // throws, failing the test, if not JSON
  CHECK(parsed.size() == 7);
  CHECK(parsed["action"] == "-");
  CHECK(parsed["key"] == key.Describe());
  CHECK(parsed["path"] == "/a\"b\\c\r\nd\x01\xef\xbf\xbd");  // the invalid byte became U+FFFD
  CHECK(parsed["status"] == 0);

  std::string no_key = FormatAccessEntry({"POST", "/", "ListCommands", nullptr, Outcome::kMiss, 404, 5});
  CHECK(nlohmann::json::parse(no_key)["key"] == "-");
}

TEST_CASE("the access log writes at info and stays silent above it", "[access_log]") {
  std::ostringstream out;
  auto logger = std::make_shared<spdlog::logger>("access-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_pattern("%v");
  AccessLog log(logger);
  TapeKey key = TapeKey::ForInvocation("c", "i-1", std::nullopt).value();
  AccessEntry entry{"POST", "/", "GetCommandInvocation", &key, Outcome::kHit, 200, 1};
  log.Write(entry);
  CHECK(out.str() == FormatAccessEntry(entry) + "\n");
  logger->set_level(spdlog::level::warn);
  log.Write(entry);
  CHECK(out.str() == FormatAccessEntry(entry) + "\n");
}

TEST_CASE("an access line names a named session, never the default one", "[access_log][session]") {
  AccessEntry entry{"POST", "/session/t-1", "ListCommands", nullptr, Outcome::kHit, 200, 4};
  CHECK_FALSE(nlohmann::json::parse(FormatAccessEntry(entry)).contains("session"));
  entry.session = "t-1";
  std::string line = FormatAccessEntry(entry);
  CHECK(nlohmann::json::parse(line)["session"] == "t-1");
  CHECK(line.find(R"("path":"/session/t-1","session":"t-1","status":200)") != std::string::npos);  // keys sorted
}

TEST_CASE("an access line names the step of the tape that answered", "[access_log]") {
  TapeKey key = TapeKey::ForInvocation("c", "i-1", std::nullopt).value();
  AccessEntry entry{"POST", "/", "GetCommandInvocation", &key, Outcome::kHit, 200, 9};
  entry.step = 3;
  entry.steps = 5;
  nlohmann::json parsed = nlohmann::json::parse(FormatAccessEntry(entry));
  CHECK(parsed["step"] == 3);
  CHECK(parsed["steps"] == 5);
  CHECK(parsed.size() == 9);

  entry.step = entry.steps = 0;  // no tape entry answered (a miss, an error, a recording)
  parsed = nlohmann::json::parse(FormatAccessEntry(entry));
  CHECK_FALSE(parsed.contains("step"));
  CHECK_FALSE(parsed.contains("steps"));
}

}  // namespace
}  // namespace ssm
