// What `ssm-replay synth` answers per state: AWS's members in AWS's order, times consistent with each
// other, output cut at AWS's limits, the InvocationDoesNotExist error as recorded; and the tapes a
// scenario makes, which `lint` passes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "proxy/ssm/waiter_lint.h"
#include "proxy/synth/aws_time.h"
#include "proxy/synth/invocation_answers.h"
#include "proxy/synth/scenario.h"
#include "proxy/synth/synthesizer.h"
#include "store/tape_file/tape_file.h"
#include "test_util.h"

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;

const std::vector<std::string> kMembers = {
    "CommandId", "InstanceId", "Comment", "DocumentName", "DocumentVersion", "PluginName", "ResponseCode",
    "ExecutionStartDateTime", "ExecutionElapsedTime", "ExecutionEndDateTime", "Status", "StatusDetails",
    "StandardOutputContent", "StandardOutputUrl", "StandardErrorContent", "StandardErrorUrl",
    "CloudWatchOutputConfig"};

std::vector<std::string> MembersOf(const Json& body) {
  std::vector<std::string> out;
  for (const auto& item : body.items()) out.push_back(item.key());
  return out;
}

std::vector<Tape> Synth(Json doc) {
  if (!doc.contains("invocations")) doc["invocations"] = Json::array({{{"instanceId", "i-08b0130f3ddd5f444"}}});
  auto s = ParseScenario(doc, ScenarioNaming::Flags());
  REQUIRE(s.ok());
  auto tapes = Synthesize(*s);
  INFO(tapes.status().message());
  REQUIRE(tapes.ok());
  return *tapes;
}

Json BodyOf(const Interaction& i) { return Json::parse(i.response_body); }

int64_t ParseTime(const std::string& iso) { return ParseIsoMillis(iso, "t").value(); }

TEST_CASE("durations print as java.time.Duration does", "[synth]") {
  CHECK(FormatAwsDuration(0) == "PT0S");
  CHECK(FormatAwsDuration(8412) == "PT8.412S");
  CHECK(FormatAwsDuration(5210) == "PT5.21S");
  CHECK(FormatAwsDuration(65200) == "PT1M5.2S");
  CHECK(FormatAwsDuration(3600000) == "PT1H");
  CHECK(FormatAwsDuration(3660000) == "PT1H1M");
  CHECK(FormatIsoMillis(1791969123415) == "2026-10-14T09:12:03.415Z");
  CHECK(ParseIsoMillis("2026-10-14T09:12:03.415Z", "t").value() == 1791969123415);
  CHECK(ParseIsoMillis("2026-10-14T09:12:03Z", "t").value() == 1791969123000);
}

TEST_CASE("output is cut at 24,000 and 8,000 characters, not bytes", "[synth]") {
  CHECK(CutToCharacters("abc", 2) == "ab");
  CHECK(CutToCharacters("\xC3\xA9\xC3\xA9\xC3\xA9", 2) == "\xC3\xA9\xC3\xA9");
  CHECK(CutToCharacters("a\xFF" "b", 5) == "a\xEF\xBF\xBD" "b");
  std::string out(30000, 'o'), err(9000, 'e');
  auto tapes = Synth({{"states", "InProgress,Failed"}, {"stdout", out}, {"stderr", err}});
  Json last = BodyOf(tapes[0].interactions.back());
  CHECK(last["StandardOutputContent"].get<std::string>().size() == kStdoutLimit);
  CHECK(last["StandardErrorContent"].get<std::string>().size() == kStderrLimit);
  auto exact = Synth({{"states", "InProgress,Success"}, {"stdout", std::string(24000, 'x')}});
  CHECK(BodyOf(exact[0].interactions.back())["StandardOutputContent"].get<std::string>().size() == 24000);
}

TEST_CASE("every state answers AWS's 17 members, consistently", "[synth]") {
  auto tapes = Synth({{"states", "InvocationDoesNotExist,Pending,Delayed,InProgress*2,Cancelling,Cancelled"},
                      {"comment", "Drain queue"}});
  REQUIRE(tapes.size() == 1);
  const auto& entries = tapes[0].interactions;
  REQUIRE(entries.size() == 7);

  const Interaction& missing = entries[0];
  CHECK(missing.status == 400);
  CHECK(missing.response_body == R"({"__type":"InvocationDoesNotExist"})");
  REQUIRE(missing.headers.size() == 2);
  CHECK(missing.headers[0] == std::make_pair(std::string("Content-Type"), std::string("application/x-amz-json-1.1")));
  CHECK(missing.headers[1].first == "x-amzn-RequestId");

  int64_t started = 0;
  for (size_t k = 1; k < entries.size(); ++k) {
    INFO("poll " << k);
    const Interaction& i = entries[k];
    CHECK(i.status == 200);
    CHECK(i.source == "synth");
    CHECK(i.upstream_latency_us >= 20000);
    CHECK(i.upstream_latency_us <= 80000);
    CHECK(i.recorded_at_ms > entries[k - 1].recorded_at_ms);
    Json b = BodyOf(i);
    CHECK(MembersOf(b) == kMembers);
    CHECK(b["Comment"] == "Drain queue");
    CHECK(b["PluginName"] == "aws:runShellScript");
    CHECK(b["StatusDetails"] == b["Status"]);
    CHECK(b["CloudWatchOutputConfig"] == Json{{"CloudWatchLogGroupName", ""}, {"CloudWatchOutputEnabled", false}});
    std::string status = b["Status"];
    bool waiting = status == "Pending" || status == "Delayed";
    bool terminal = status == "Cancelled";
    CHECK(b["ResponseCode"] == (terminal ? 137 : -1));
    CHECK((b["ExecutionStartDateTime"] == "") == waiting);
    CHECK((b["ExecutionEndDateTime"] != "") == terminal);
    if (!waiting) {
      int64_t start = ParseTime(b["ExecutionStartDateTime"]);
      if (started) CHECK(start == started);
      started = start;
      int64_t until = terminal ? ParseTime(b["ExecutionEndDateTime"]) : 0;
      CHECK(start < i.recorded_at_ms);
      CHECK((until == 0 || until <= i.recorded_at_ms));
      // ...after the previous answer was built (it still showed the plugin running).
      CHECK((until == 0 || until > entries[k - 1].recorded_at_ms - entries[k - 1].upstream_latency_us / 1000));
      if (terminal) CHECK(b["ExecutionElapsedTime"] == FormatAwsDuration(until - start));
    }
  }
}

TEST_CASE("plugins: a tape per named plugin, plus the plugin-less one for a single plugin", "[synth]") {
  auto one = Synth({{"plugins", {"aws:runShellScript"}}});
  REQUIRE(one.size() == 2);
  CHECK(one[0].key.plugin_name() == std::optional<std::string>("aws:runShellScript"));
  CHECK_FALSE(one[1].key.plugin_name().has_value());
  CHECK(one[0].interactions[0].request_body ==
        R"({"CommandId":")" + one[0].key.command_id() + R"(","InstanceId":"i-08b0130f3ddd5f444","PluginName":"aws:runShellScript"})");
  auto two = Synth({{"documentName", "AWS-RunPatchBaseline"}, {"plugins", {"PatchLinux", "PatchWindows"}}});
  REQUIRE(two.size() == 2);
  CHECK(two[1].key.plugin_name() == std::optional<std::string>("PatchWindows"));
  CHECK(BodyOf(two[1].interactions.back())["PluginName"] == "PatchWindows");
}

TEST_CASE("duration sets the run time, or says which fit", "[synth]") {
  auto tapes = Synth({{"states", "Pending,InProgress*3,TimedOut"}, {"duration", 14.5}});
  Json last = BodyOf(tapes[0].interactions.back());
  CHECK(last["ExecutionElapsedTime"] == "PT14.5S");
  CHECK(last["StatusDetails"] == "ExecutionTimedOut");
  auto s = ParseScenario({{"states", "InProgress*3,Success"}, {"duration", 2},
                          {"invocations", {{{"instanceId", "i-08b0130f3ddd5f444"}}}}}, ScenarioNaming::Flags());
  REQUIRE(s.ok());
  auto bad = Synthesize(*s);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::StartsWith("--duration: 2.000 s does not fit") &&
                                         Catch::Contains("polled every 5.000 s"));
}

TEST_CASE("S3 and CloudWatch output fill the URL members of finished answers", "[synth]") {
  auto tapes = Synth({{"states", "InProgress,Success"}, {"region", "eu-west-1"},
                      {"outputS3BucketName", "acme-out"}, {"outputS3KeyPrefix", "run"},
                      {"cloudWatchLogGroupName", "/aws/ssm/x"}});
  Json running = BodyOf(tapes[0].interactions[0]), done = BodyOf(tapes[0].interactions[1]);
  CHECK(running["StandardOutputUrl"] == "");
  std::string base = "https://s3.eu-west-1.amazonaws.com/acme-out/run/" + tapes[0].key.command_id() +
                     "/i-08b0130f3ddd5f444/awsrunShellScript/0.awsrunShellScript/";
  CHECK(done["StandardOutputUrl"] == base + "stdout");
  CHECK(done["StandardErrorUrl"] == base + "stderr");
  CHECK(done["CloudWatchOutputConfig"]["CloudWatchOutputEnabled"] == true);
}

TEST_CASE("SendCommand: the request completed from the scenario and AWS's Command", "[synth]") {
  auto tapes = Synth({{"sendCommand", {{"Parameters", {{"commands", {"uptime"}}}}, {"TimeoutSeconds", 600}}},
                      {"comment", "Uptime"}, {"start", "2026-10-14T09:12:03.415Z"}});
  REQUIRE(tapes.size() == 2);
  const Tape& send = tapes[0];
  CHECK(send.key.action() == "SendCommand");
  CHECK(send.interactions[0].request_body ==
        R"({"Comment":"Uptime","DocumentName":"AWS-RunShellScript","InstanceIds":["i-08b0130f3ddd5f444"],)"
        R"("Parameters":{"commands":["uptime"]},"TimeoutSeconds":600})");
  Json command = BodyOf(send.interactions[0])["Command"];
  CHECK(command["CommandId"] == tapes[1].key.command_id());
  CHECK(command["RequestedDateTime"].dump() == "1791969123.415");
  CHECK(command["ExpiresAfter"].dump() == "1791973323.415");
  CHECK(command["Status"] == "Pending");
  CHECK(command["TargetCount"] == 1);
  auto s = ParseScenario({{"sendCommand", {{"InstanceIds", {"i-0aaaaaaaaaaaaaaaa"}}}},
                          {"invocations", {{{"instanceId", "i-08b0130f3ddd5f444"}}}}}, ScenarioNaming::Flags());
  REQUIRE(s.ok());
  CHECK_THAT(Synthesize(*s).status().message(), Catch::StartsWith("--send-command: the request's InstanceIds"));
}

TEST_CASE("synthesized tapes pass lint, print as tape files and read back", "[synth]") {
  for (const char* states : {"InvocationDoesNotExist,Pending,InProgress*2,Success", "InProgress,Failed",
                             "Pending,TimedOut", "InProgress,Cancelling,Cancelled", "Delayed*3,InProgress,Success"}) {
    INFO(states);
    auto tapes = Synth({{"states", states}, {"seed", 3}});
    CHECK_FALSE(LintCommandExecuted(tapes[0]).warning());
    std::string text = FormatTapeFile(tapes[0]);
    auto back = ParseTapeFile(text, "synth");
    REQUIRE(back.ok());
    CHECK(FormatTapeFile(*back) == text);
    CHECK(text.find("\"body\": {") != std::string::npos);  // bodies shown as JSON, as in fixtures
    CHECK(FormatTapeFile(Synth({{"states", states}, {"seed", 3}})[0]) == text);  // deterministic
  }
  auto never = Synth({{"states", "Pending,InProgress*3"}});
  auto r = LintCommandExecuted(never[0]);
  CHECK(r.warning());
  CHECK(r.end == WaiterLintResult::End::kNeverTerminal);
}

}  // namespace
}  // namespace ssm
