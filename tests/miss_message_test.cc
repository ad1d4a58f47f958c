#include "proxy/modes/miss_message.h"

#include <catch2/catch.hpp>

#include "proxy/ssm/request_parser.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
constexpr char kInstance[] = "i-08b0130f3ddd5f444";

SsmRequest Call(const std::string& action, const std::string& body) {
  ParsedRequest p = ParseSsmRequest("POST", "/", {{"X-Amz-Target", "AmazonSSM." + action}}, body);
  REQUIRE(p.ok());
  return *p.request;
}

TEST_CASE("miss message names the nearest invocation tapes and how each differs", "[miss_message]") {
  std::string typo = kCmd;
  typo[3] = 'c';
  SsmRequest request =
      Call("GetCommandInvocation", "{\"CommandId\":\"" + typo + "\",\"InstanceId\":\"" + kInstance + "\"}");
  std::vector<TapeKey> nearest = {TapeKey::ForInvocation(kCmd, kInstance, std::nullopt).value(),
                                  TapeKey::ForInvocation(kCmd, "i-06abcb62579f94ac0", "Patch").value()};
  std::string m = MissMessage(request, nearest);
  INFO(m);
  CHECK(m.rfind("No recorded tape for GetCommandInvocation CommandId=" + typo, 0) == 0);
  CHECK(m.find("Nearest recorded tapes: GetCommandInvocation CommandId=" + std::string(kCmd) + " InstanceId=" +
               kInstance + " PluginName=(absent) (CommandId 1 character off); ") != std::string::npos);
  CHECK(m.find("(CommandId 1 character off, other InstanceId, other PluginName)") != std::string::npos);

  std::string none = MissMessage(request, {});
  CHECK(none.find("No tape is recorded for CommandId " + typo + " or a CommandId close to it.") != std::string::npos);
}

TEST_CASE("miss message on another action names the closest request and the fields that differ",
          "[miss_message]") {
  SsmRequest request = Call("SendCommand", R"({"DocumentName":"AWS-RunShellScript","Comment":"deploy",
      "InstanceIds":["i-08b0130f3ddd5f444"],"Parameters":{"commands":["uptime"]},"TimeoutSeconds":60})");
  TapeKey closest = TapeKey::ForAction("SendCommand", R"({"DocumentName":"AWS-RunShellScript",)"
                                                      R"("InstanceIds":["i-08b0130f3ddd5f444"],)"
                                                      R"("Parameters":{"commands":["df"]},"TimeoutSeconds":60})")
                        .value();
  TapeKey next = TapeKey::ForAction("SendCommand", R"({"DocumentName":"AWS-RunPowerShellScript"})").value();
  std::string m = MissMessage(request, {closest, next});
  INFO(m);
  CHECK(m.find("The closest recorded SendCommand request (" + closest.Describe() + ") differs in 2 fields: ") !=
        std::string::npos);
  CHECK(m.find("Comment only in this request (\"deploy\")") != std::string::npos);
  CHECK(m.find("Parameters.commands[0] is \"uptime\" here, \"df\" recorded") != std::string::npos);
  CHECK(m.find("Next closest: " + next.Describe() + " (5 fields differ)") != std::string::npos);

  std::string none = MissMessage(request, {});
  CHECK(none.find("No tape is recorded for SendCommand.") != std::string::npos);
  CHECK(none.find("AWS-RunShellScript") != std::string::npos);  // the request, to record it
}

}  // namespace
}  // namespace ssm
