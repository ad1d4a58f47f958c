// Scenario parsing for `ssm-replay synth`: state lists, flags' and files' members, and the errors
// that name what the user wrote.
#include <catch2/catch.hpp>

#include "proxy/synth/invocation_state.h"
#include "proxy/synth/plugin_outcome.h"
#include "proxy/synth/scenario.h"
#include "test_util.h"

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;
using S = InvocationState;

Result<Scenario> FromFlags(Json doc) {
  if (!doc.contains("invocations")) doc["invocations"] = Json::array({{{"instanceId", "i-08b0130f3ddd5f444"}}});
  return ParseScenario(doc, ScenarioNaming::Flags());
}

std::string ErrorOf(const Json& doc) {
  auto s = FromFlags(doc);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().IsInvalidArgument());
  return s.status().message();
}

TEST_CASE("state lists expand *N and keep AWS's order", "[synth]") {
  auto states = ParseStateList("InvocationDoesNotExist, Pending,InProgress*3,Success", "--states");
  REQUIRE(states.ok());
  CHECK(*states == std::vector<S>{S::kInvocationDoesNotExist, S::kPending, S::kInProgress, S::kInProgress,
                                  S::kInProgress, S::kSuccess});
  CHECK(ParseStateList("Delayed,Pending,InProgress,Cancelling*2,Cancelled", "--states").ok());
}

TEST_CASE("bad state lists name the flag and the valid states", "[synth]") {
  auto unknown = ParseStateList("Pending,Runing", "--states");
  REQUIRE_FALSE(unknown.ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("--states") && Catch::Contains("'Runing'") &&
                                             Catch::Contains("InvocationDoesNotExist, Pending, InProgress"));
  for (const char* bad : {"Success,InProgress", "InProgress,Pending", "Cancelling,Success", "Pending,InvocationDoesNotExist",
                          "InProgress*0", "InProgress*x", "", "InProgress*100001"}) {
    INFO(bad);
    auto r = ParseStateList(bad, "--states");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.status().message(), Catch::StartsWith("--states: "));
  }
}

TEST_CASE("flag defaults: seeded ids, AWS-RunShellScript, Pending,InProgress,Success", "[synth]") {
  auto s = FromFlags(Json::object());
  REQUIRE(s.ok());
  CHECK(s->command_id.size() == 36);
  CHECK(s->command_id[14] == '4');
  CHECK(s->document_name == "AWS-RunShellScript");
  CHECK(s->poll_interval_ms == 5000);
  REQUIRE(s->invocations.size() == 1);
  const auto& inv = s->invocations[0];
  CHECK_FALSE(inv.plugins_named);
  REQUIRE(inv.plugins.size() == 1);
  CHECK(inv.plugins[0].name == "aws:runShellScript");
  CHECK(inv.plugins[0].outcome.states == std::vector<S>{S::kPending, S::kInProgress, S::kSuccess});
  CHECK(inv.plugins[0].outcome.status_details == "Success");
  CHECK(inv.plugins[0].outcome.response_code == 0);
  // Same seed, same CommandId; another seed, another.
  CHECK(FromFlags(Json::object())->command_id == s->command_id);
  CHECK(FromFlags(Json{{"seed", 2}})->command_id != s->command_id);
}

TEST_CASE("terminal states get their usual StatusDetails and ResponseCode", "[synth]") {
  struct Case {
    const char* states;
    const char* details;  // given, or nullptr
    const char* want_details;
    int want_code;
    bool executed;
  };
  const Case cases[] = {
      {"InProgress,Failed", nullptr, "Failed", 1, true},
      {"InProgress,TimedOut", nullptr, "ExecutionTimedOut", 137, true},
      {"Pending,TimedOut", nullptr, "DeliveryTimedOut", -1, false},
      {"Pending,TimedOut", "DeliveryTimedOut", "DeliveryTimedOut", -1, false},
      {"Pending,Failed", "Undeliverable", "Undeliverable", -1, false},
      {"InProgress,Cancelling,Cancelled", nullptr, "Cancelled", 137, true},
      {"Pending,Cancelled", nullptr, "Cancelled", -1, false},
      {"Pending,Cancelled", "Terminated", "Terminated", -1, false},
      {"Pending,InProgress", nullptr, "InProgress", -1, true},
      {"InvocationDoesNotExist", nullptr, "", -1, false},
  };
  for (const Case& c : cases) {
    INFO(c.states << " " << (c.details ? c.details : "-"));
    Json doc = {{"states", c.states}};
    if (c.details) doc["statusDetails"] = c.details;
    auto s = FromFlags(doc);
    REQUIRE(s.ok());
    const PluginOutcome& o = s->invocations[0].plugins[0].outcome;
    CHECK(o.status_details == c.want_details);
    CHECK(o.response_code == c.want_code);
    CHECK(o.executed == c.executed);
  }
}

TEST_CASE("inconsistent outcomes are refused, naming the flag and what is valid", "[synth]") {
  CHECK_THAT(ErrorOf({{"states", "InProgress,Failed"}, {"statusDetails", "DeliveryTimedOut"}}),
             Catch::StartsWith("--status-details: 'DeliveryTimedOut' does not go with Status Failed") &&
                 Catch::Contains("TimedOut: ExecutionTimedOut, DeliveryTimedOut"));
  CHECK_THAT(ErrorOf({{"states", "InProgress,TimedOut"}, {"statusDetails", "DeliveryTimedOut"}}),
             Catch::StartsWith("--status-details: DeliveryTimedOut means the plugin never started"));
  CHECK_THAT(ErrorOf({{"states", "Pending,InProgress"}, {"statusDetails", "Failed"}}),
             Catch::StartsWith("--status-details: is for the terminal state"));
  CHECK_THAT(ErrorOf({{"states", "InProgress,Success"}, {"responseCode", 2}}),
             Catch::StartsWith("--response-code: Success means exit code 0"));
  CHECK_THAT(ErrorOf({{"states", "InProgress,Failed"}, {"responseCode", 0}}),
             Catch::StartsWith("--response-code: Failed needs"));
  CHECK_THAT(ErrorOf({{"states", "Pending,TimedOut"}, {"responseCode", 137}}), Catch::StartsWith("--response-code: "));
  CHECK_THAT(ErrorOf({{"states", "Pending,Failed"}, {"statusDetails", "Undeliverable"}, {"stdout", "x"}}),
             Catch::StartsWith("--stdout: output only appears"));
  CHECK_THAT(ErrorOf({{"states", "InProgress"}, {"duration", 3}}), Catch::StartsWith("--duration: "));
  CHECK_THAT(ErrorOf({{"commandId", "not-a-uuid"}}), Catch::StartsWith("--command-id: 'not-a-uuid' is not a CommandId"));
  CHECK_THAT(ErrorOf({{"start", "yesterday"}}), Catch::StartsWith("--start: 'yesterday' is not an ISO 8601"));
  CHECK_THAT(ErrorOf({{"documentName", "My-Doc"}}), Catch::StartsWith("--plugin: document 'My-Doc' has no known step"));
  CHECK_THAT(ErrorOf({{"plugins", {"abc"}}}), Catch::StartsWith("--plugin: a PluginName has at least 4"));
  CHECK_THAT(ErrorOf({{"invocations", {{{"instanceId", "web-01"}}}}}),
             Catch::StartsWith("--instance-id: 'web-01' is not an instance id"));
}

TEST_CASE("a scenario file: defaults, counted instances, per-plugin outcomes, errors with paths", "[synth]") {
  test::TempDir dir;
  {
    std::ofstream(dir.Sub("trace.txt")) << "Traceback (most recent call last):\n";
    std::ofstream(dir.Sub("fleet.json")) << R"({
      "seed": 7, "comment": "Deploy", "states": "Pending,InProgress,Success", "stdout": "ok\n",
      "invocations": [
        {"count": 47},
        {"count": 3, "states": "Pending,InProgress,Failed", "responseCode": 2, "stdout": "", "stderr": "@trace.txt"},
        {"instanceId": "i-0123456789abcdef0", "plugins": ["aws:runShellScript",
          {"name": "aws:runPowerShellScript", "states": "InProgress,TimedOut", "stdout": ""}]}
      ]})";
  }
  auto s = ReadScenarioFile(dir.Sub("fleet.json"));
  REQUIRE(s.ok());
  REQUIRE(s->invocations.size() == 51);
  CHECK(s->comment == "Deploy");
  int failed = 0;
  for (size_t i = 0; i < 50; ++i) {
    const PluginOutcome& o = s->invocations[i].plugins[0].outcome;
    if (o.states.back() == S::kFailed) {
      ++failed;
      CHECK(o.response_code == 2);
      CHECK(o.stderr_text == "Traceback (most recent call last):\n");
    } else {
      CHECK(o.stdout_text == "ok\n");
    }
  }
  CHECK(failed == 3);
  const auto& two = s->invocations[50];
  CHECK(two.plugins_named);
  REQUIRE(two.plugins.size() == 2);
  CHECK(two.plugins[0].outcome.states.back() == S::kSuccess);
  CHECK(two.plugins[1].outcome.status_details == "ExecutionTimedOut");

  std::ofstream(dir.Sub("bad.json")) << R"({"invocations": [{"count": 2}, {"instanceId": "i-0123456789abcdef0", "stats": "x"}]})";
  auto bad = ReadScenarioFile(dir.Sub("bad.json"));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.status().message(), Catch::Contains("bad.json: invocations[1].stats: unknown member") &&
                                         Catch::Contains("states"));
  std::ofstream(dir.Sub("bad2.json")) << R"({"invocations": [{"count": 1, "states": "Pending,Sucess"}]})";
  CHECK_THAT(ReadScenarioFile(dir.Sub("bad2.json")).status().message(),
             Catch::StartsWith(dir.Sub("bad2.json") + ": invocations[0].states: unknown state 'Sucess'"));
  CHECK_THAT(ReadScenarioFile(dir.Sub("missing.json")).status().message(), Catch::StartsWith("--scenario: cannot read"));
}

}  // namespace
}  // namespace ssm
