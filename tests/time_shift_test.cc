#include "proxy/replay/time_shift.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxy/synth/aws_time.h"
#include "store/tape_file/tape_file.h"
#include "tests/random_json.h"

namespace ssm {
namespace {

constexpr int64_t kDay = 86'400'000;

// The value of `member` in `body` after shifting a one-member object by `offset_ms`.
std::string Shifted(const std::string& member, const std::string& value, int64_t offset_ms) {
  std::string body = "{\"" + member + "\": " + value + "}";
  std::string out = ShiftTimes(body, offset_ms);
  REQUIRE(out.substr(0, member.size() + 5) == "{\"" + member + "\": ");
  return out.substr(member.size() + 5, out.size() - member.size() - 6);
}

TEST_CASE("ISO 8601 dates move by the offset and keep their form", "[time_shift]") {
  const std::string start = "ExecutionStartDateTime";
  CHECK(Shifted(start, "\"2026-10-14T10:03:15.944Z\"", 1500) == "\"2026-10-14T10:03:17.444Z\"");
  CHECK(Shifted(start, "\"2026-10-14T10:03:15.944Z\"", -1500) == "\"2026-10-14T10:03:14.444Z\"");
  CHECK(Shifted(start, "\"2026-12-31T23:59:59.999Z\"", 1) == "\"2027-01-01T00:00:00.000Z\"");
  CHECK(Shifted(start, "\"2028-02-28T23:59:59.500Z\"", 1000) == "\"2028-02-29T00:00:00.500Z\"");
  CHECK(Shifted(start, "\"2027-03-01T00:00:00.000Z\"", -1) == "\"2027-02-28T23:59:59.999Z\"");
  CHECK(Shifted(start, "\"2026-10-14T10:03:15.944+00:00\"", 50 * kDay) == "\"2026-12-03T10:03:15.944+00:00\"");
  CHECK(Shifted(start, "\"2026-10-14T10:03:15.944123Z\"", 1) == "\"2026-10-14T10:03:15.945123Z\"");
  CHECK(Shifted(start, "\"2026-10-14T10:03:15Z\"", 1500) == "\"2026-10-14T10:03:17Z\"");  // rounded to 1 s
  CHECK(Shifted(start, "\"2026-10-14T10:03:15.9Z\"", 149) == "\"2026-10-14T10:03:16.0Z\"");
  CHECK(Shifted("ExecutionEndDateTime", "\"1970-01-01T00:00:00.000Z\"", -1) == "\"1969-12-31T23:59:59.999Z\"");
}

TEST_CASE("epoch-second dates move by the offset and keep their spelling", "[time_shift]") {
  CHECK(Shifted("RequestedDateTime", "1791969123.415", 1500) == "1791969124.915");
  CHECK(Shifted("RequestedDateTime", "1791969123.415", -123456) == "1791968999.959");
  CHECK(Shifted("ExpiresAfter", "1791973323.415", 2 * kDay) == "1792146123.415");
  CHECK(Shifted("ExpiresAfter", "1791973323.4", 149) == "1791973323.5");
  CHECK(Shifted("ResponseStartDateTime", "1791969123", 1500) == "1791969125");
  CHECK(Shifted("ResponseFinishDateTime", "1791969123.415123", 1) == "1791969123.416123");
  // AWS's own spelling: Java's Double.toString, mantissa without trailing zeros.
  CHECK(Shifted("RequestedDateTime", "1.791969123415E9", 1500) == "1.791969124915E9");
  CHECK(Shifted("RequestedDateTime", "1.79196912341E9", 90) == "1.7919691235E9");
  CHECK(Shifted("RequestedDateTime", "1.7919691E9", 1) == "1.791969100001E9");
  CHECK(Shifted("RequestedDateTime", "1.7919691e+9", 1000) == "1.791969101e+9");
  CHECK(Shifted("RequestedDateTime", "2E9", 1000) == "2.000000001E9");
  CHECK(Shifted("RequestedDateTime", "1791969123415E-3", 1) == "1791969123416E-3");
  CHECK(Shifted("RequestedDateTime", "0.5", -1000) == "-0.5");
}

TEST_CASE("what is not a date of a known member stays byte for byte", "[time_shift]") {
  for (const char* body : {
           R"({"ExecutionEndDateTime": "", "ExecutionElapsedTime": "PT1.669S"})",
           R"({"Comment": "2026-10-14T10:03:15.944Z", "TimeoutSeconds": 1791969123.415})",
           R"({"ExecutionStartDateTime": "2026-10-14 10:03:15.944Z"})",
           R"({"ExecutionStartDateTime": "2026-10-14T10:03:15.944+01:00"})",
           R"({"ExecutionStartDateTime": "2026-02-30T10:03:15.944Z"})",
           R"({"ExecutionStartDateTime": "2026-10-14T24:03:15.944Z"})",
           R"({"ExecutionStartDateTime": "2026-10-14T10:03:15.Z"})",
           R"({"ExecutionStartDateTime": "2026-10-14T10:03:15.9441234567Z"})",
           R"({"ExecutionStartDateTime": "2026-10-14T10:03:15.944Z\u0000"})",
           R"({"ExecutionStartDateTime": 1791969123.415, "RequestedDateTime": "2026-10-14T10:03:15.944Z"})",
           R"({"RequestedDateTime": 1234567890123456789012345678901234567.5})",
           R"({"RequestedDateTime": 1e400, "ExpiresAfter": 1e-400, "ResponseStartDateTime": null})",
           R"({"ExecutionStartDateTime": "9999-12-31T23:59:59.999Z"})",
           R"({"Parameters": {"commands": ["date"]}, "RequestedDateTime": [1791969123.415]})",
           R"(["ExecutionStartDateTime", "2026-10-14T10:03:15.944Z"])",
       }) {
    INFO(body);
    CHECK(ShiftTimes(body, 1500) == body);
  }
}

TEST_CASE("invalid JSON, a zero offset or an absurd one leave the body as it is", "[time_shift]") {
  const std::string date = R"({"RequestedDateTime": 1791969123.415})";
  CHECK(ShiftTimes(date, 0) == date);
  CHECK(ShiftTimes(date, kMaxTimeShiftMs + 1) == date);
  CHECK(ShiftTimes(date, -kMaxTimeShiftMs - 1) == date);
  CHECK(ShiftTimes(date, kMaxTimeShiftMs) != date);
  CHECK(ShiftTimes(date, INT64_MIN) == date);
  for (const std::string& bad : std::vector<std::string>{date + ",", date.substr(1), "", "<html>"}) {
    CHECK(ShiftTimes(bad, 1500) == bad);
  }
}

TEST_CASE("nested dates move, spacing and every other byte stay", "[time_shift]") {
  std::string body =
      "{\"CommandInvocations\" : [ {\"RequestedDateTime\":1791969123.415,\n  \"CommandPlugins\": [{"
      "\"ResponseStartDateTime\": 1.791969124E9, \"ResponseFinishDateTime\" :1791969130.5}]}],\"NextToken\":\"t\"}";
  std::string want =
      "{\"CommandInvocations\" : [ {\"RequestedDateTime\":1791969124.415,\n  \"CommandPlugins\": [{"
      "\"ResponseStartDateTime\": 1.791969125E9, \"ResponseFinishDateTime\" :1791969131.5}]}],\"NextToken\":\"t\"}";
  CHECK(ShiftTimes(body, 1000) == want);
  CHECK(ShiftTimes(want, -1000) == body);
}

// Every fixture body, shifted: the dates are where an independent reading (aws_time.h, doubles) puts
// them, everything else is equal, in the same order, and shifting back restores the bytes.
TEST_CASE("fixture answers shift as AWS would have written them later", "[time_shift]") {
  const int64_t offset = 53 * kDay + 12'345;
  int iso_dates = 0, epoch_dates = 0;
  for (const auto& file : std::filesystem::recursive_directory_iterator(SSM_FIXTURES_DIR)) {
    if (file.path().extension() != ".json") continue;
    std::ifstream in(file.path());
    std::stringstream text;
    text << in.rdbuf();
    Result<Tape> tape = ParseTapeFile(text.str(), file.path().string());
    REQUIRE(tape.ok());
    for (const Interaction& entry : tape->interactions) {
      std::string shifted = ShiftTimes(entry.response_body, offset);
      CHECK(ShiftTimes(shifted, -offset) == entry.response_body);
      nlohmann::ordered_json before = nlohmann::ordered_json::parse(entry.response_body);
      nlohmann::ordered_json after = nlohmann::ordered_json::parse(shifted);
      for (auto& [name, value] : before.items()) {
        if ((name == "ExecutionStartDateTime" || name == "ExecutionEndDateTime") && value != "") {
          value = FormatIsoMillis(ParseIsoMillis(value.get<std::string>(), name).value() + offset);
          ++iso_dates;
        }
      }
      if (before.contains("Command")) {
        for (const char* name : {"RequestedDateTime", "ExpiresAfter"}) {
          double recorded = before["Command"][name].get<double>();
          CHECK(std::abs(after["Command"][name].get<double>() - (recorded + offset / 1000.0)) < 1e-4);
          before["Command"][name] = after["Command"][name];
          ++epoch_dates;
        }
      }
      CHECK(after == before);
    }
  }
  CHECK(iso_dates > 20);
  CHECK(epoch_dates >= 2);
}

TEST_CASE("recorded time: the entry's recordedAt, else its earliest date", "[time_shift]") {
  Interaction entry;
  entry.recorded_at_ms = 1791969123415;
  entry.response_body = R"({"ExecutionStartDateTime": "2020-01-01T00:00:00.000Z"})";
  CHECK(RecordedTimeMs(entry) == 1791969123415);
  entry.recorded_at_ms = 0;
  CHECK(RecordedTimeMs(entry) == 1577836800000);
  entry.response_body = R"({"Command": {"ExpiresAfter": 1.791973323415E9, "RequestedDateTime": 1791969123.4}})";
  CHECK(RecordedTimeMs(entry) == 1791969123400);
  entry.response_body = R"({"ExecutionStartDateTime": "", "RequestedDateTime": 1e300})";
  CHECK(RecordedTimeMs(entry) == std::nullopt);
  entry.response_body = "not json";
  CHECK(RecordedTimeMs(entry) == std::nullopt);
}

// A body of random JSON with dates of every spelling scattered in it, or a mangled copy of one.
std::string RandomBody(std::mt19937& rng) {
  static const char* kDates[][2] = {
      {"ExecutionStartDateTime", "\"2026-10-14T10:03:15.944Z\""}, {"ExecutionEndDateTime", "\"\""},
      {"ExecutionEndDateTime", "\"2026-12-31T23:59:59.999+00:00\""}, {"RequestedDateTime", "1791969123.415"},
      {"ExpiresAfter", "1.791973323415E9"}, {"ResponseStartDateTime", "-0.5e-3"}, {"RequestedDateTime", "0"},
      {"ResponseFinishDateTime", "\"1791969123\""}, {"ExecutionStartDateTime", "\"0000-01-01T00:00:00Z\""}};
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (int i = static_cast<int>(rng() % 6); i > 0; --i) {
    const auto& date = kDates[rng() % (sizeof kDates / sizeof *kDates)];
    nlohmann::ordered_json holder = nlohmann::ordered_json::object();
    holder[date[0]] = nlohmann::ordered_json::parse(date[1]);
    doc[test::RandomJsonText(rng)] = rng() % 2 ? holder : nlohmann::ordered_json::array({holder});
    doc[date[0]] = holder[date[0]];
    doc[test::RandomJsonText(rng)] = test::RandomJsonValue(rng);
  }
  std::string text = doc.dump(rng() % 3 == 0 ? 2 : -1);
  const std::string alphabet = "{}[]\":,.-+eE0123456789TZ \\";
  for (int edits = rng() % 4 == 0 ? static_cast<int>(rng() % 4) : 0; edits > 0 && !text.empty(); --edits) {
    text[rng() % text.size()] = alphabet[rng() % alphabet.size()];
  }
  return text;
}

// Drops the members named like dates, at any depth.
void WithoutDates(nlohmann::ordered_json* doc) {
  if (doc->is_object()) {
    for (const char* name : {"ExecutionStartDateTime", "ExecutionEndDateTime", "RequestedDateTime", "ExpiresAfter",
                             "ResponseStartDateTime", "ResponseFinishDateTime"}) {
      doc->erase(name);
    }
  }
  if (doc->is_structured()) {
    for (auto& child : *doc) WithoutDates(&child);
  }
}

TEST_CASE("random and mangled bodies: never a crash, valid JSON stays valid, shifts undo", "[time_shift]") {
  std::mt19937 rng(2026);
  int valid = 0, changed = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string body = RandomBody(rng);
    int64_t offset = static_cast<int64_t>(rng() % 2'000'000'000) * (rng() % 2 ? 1 : -1);
    std::string out = ShiftTimes(body, offset);
    if (!nlohmann::json::accept(body)) continue;
    INFO(body << "\nshifted by " << offset << ":\n" << out);
    ++valid;
    REQUIRE(nlohmann::json::accept(out));
    nlohmann::ordered_json before = nlohmann::ordered_json::parse(body), after = nlohmann::ordered_json::parse(out);
    WithoutDates(&before);
    WithoutDates(&after);
    CHECK(after == before);  // the same members in the same order, only dates changed
    if (out != body) ++changed;
  }
  CHECK(valid > 2000);
  CHECK(changed > 1000);
}

}  // namespace
}  // namespace ssm
