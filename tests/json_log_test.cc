#include "proxy/http/json_log.h"

#include <memory>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "proxy/http/access_log.h"

namespace ssm {
namespace {

// Every line of `text`, each parsed as JSON (throwing, and so failing the test, when one is not).
std::vector<nlohmann::json> ParseLines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST_CASE("event and access lines are JSON objects with time and level inside", "[json_log]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(std::make_unique<JsonLineFormatter>());
  spdlog::logger events("ssm-replay", sink);
  spdlog::logger access(kAccessLoggerName, sink);

  events.warn("listening on \"{}\"\nsecond line", "0.0.0.0:1");
  TapeKey key = TapeKey::ForInvocation("c", "i-1", std::nullopt).value();
  AccessEntry entry{"POST", "/", "GetCommandInvocation", &key, Outcome::kHit, 200, 12};
  entry.step = 2;
  entry.steps = 4;
  access.info(FormatAccessEntry(entry));

  std::vector<nlohmann::json> lines = ParseLines(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["level"] == "warn");
  CHECK(lines[0]["msg"] == "listening on \"0.0.0.0:1\"\nsecond line");
  CHECK(lines[0].size() == 3);
  CHECK(lines[1]["level"] == "info");
  CHECK(lines[1]["outcome"] == "hit");
  CHECK(lines[1]["step"] == 2);
  CHECK(lines[1]["steps"] == 4);
  CHECK_FALSE(lines[1].contains("msg"));
  for (const nlohmann::json& line : lines) {
    std::string time = line["time"];
    // 2026-11-02T10:15:30.123Z
    CHECK(time.size() == 24);
    CHECK(time[10] == 'T');
    CHECK(time.back() == 'Z');
  }
}

TEST_CASE("a message on the access logger that is no JSON object is quoted", "[json_log]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(std::make_unique<JsonLineFormatter>());
  spdlog::logger access(kAccessLoggerName, sink);
  access.info("plain {}", "text");
  access.info("{}", "{}");
  std::vector<nlohmann::json> lines = ParseLines(out.str());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["msg"] == "plain text");
  CHECK(lines[1].size() == 2);  // the empty object's members: none but time and level
}

TEST_CASE("invalid UTF-8 in a message becomes U+FFFD, not a broken line", "[json_log]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(std::make_unique<JsonLineFormatter>());
  spdlog::logger events("events", sink);
  events.warn("caf\xc3\xa9 \xff");
  std::vector<nlohmann::json> lines = ParseLines(out.str());
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["msg"] == "caf\xc3\xa9 \xef\xbf\xbd");
  CHECK(lines[0]["level"] == "warn");
}

}  // namespace
}  // namespace ssm
