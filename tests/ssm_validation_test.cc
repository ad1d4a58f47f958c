#include "proxy/ssm/ssm_validation.h"

#include <catch2/catch.hpp>

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";

std::optional<AwsError> Validate(const std::string& body,
                                 const std::string& action = "GetCommandInvocation") {
  return ValidateSsmRequest(action, nlohmann::json::parse(body));
}

TEST_CASE("a valid GetCommandInvocation passes", "[validation]") {
  CHECK_FALSE(
      Validate(std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"i-08b0130f3ddd5f444\"}"));
  CHECK_FALSE(Validate(std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"i-0123abcd\"}"));
  CHECK_FALSE(Validate(std::string("{\"CommandId\":\"") + kCmd +
                       "\",\"InstanceId\":\"mi-0123456789abcdef0\",\"PluginName\":\"aws:runShellScript\"}"));
}

TEST_CASE("InstanceId pattern, worded like AWS", "[validation]") {
  auto e = Validate(std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"i-083e1601960282cd\"}");
  REQUIRE(e);
  CHECK(e->http_status == 400);
  CHECK(e->type == "ValidationException");
  CHECK(
      e->message ==
      "1 validation error detected: Value 'i-083e1601960282cd' at 'instanceId' failed to satisfy constraint: "
      "Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)");
}

TEST_CASE("CommandId length 36", "[validation]") {
  auto short_id = Validate("{\"CommandId\":\"abc\",\"InstanceId\":\"i-08b0130f3ddd5f444\"}");
  REQUIRE(short_id);
  CHECK(short_id->message ==
        "1 validation error detected: Value 'abc' at 'commandId' failed to satisfy constraint: Member must "
        "have "
        "length greater than or equal to 36");
  auto long_id =
      Validate(std::string("{\"CommandId\":\"") + kCmd + "x\",\"InstanceId\":\"i-08b0130f3ddd5f444\"}");
  REQUIRE(long_id);
  CHECK(long_id->message.find("Member must have length less than or equal to 36") != std::string::npos);
}

TEST_CASE("PluginName at least 4", "[validation]") {
  auto e = Validate(std::string("{\"CommandId\":\"") + kCmd +
                    "\",\"InstanceId\":\"i-08b0130f3ddd5f444\",\"PluginName\":\"abc\"}");
  REQUIRE(e);
  CHECK(e->message ==
        "1 validation error detected: Value 'abc' at 'pluginName' failed to satisfy constraint: Member must "
        "have "
        "length greater than or equal to 4");
}

TEST_CASE("required fields, several errors in model order", "[validation]") {
  auto e = Validate("{\"PluginName\":\"ab\"}");
  REQUIRE(e);
  CHECK(
      e->message ==
      "3 validation errors detected: Value null at 'commandId' failed to satisfy constraint: Member must not "
      "be "
      "null; Value null at 'instanceId' failed to satisfy constraint: Member must not be null; Value 'ab' at "
      "'pluginName' failed to satisfy constraint: Member must have length greater than or equal to 4");
}

TEST_CASE("lengths count characters, not bytes", "[validation]") {
  // 4 characters, 8 bytes.
  CHECK_FALSE(Validate(
      std::string("{\"CommandId\":\"") + kCmd +
      "\",\"InstanceId\":\"i-08b0130f3ddd5f444\",\"PluginName\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}"));
}

TEST_CASE("instance id pattern cases", "[validation]") {
  CHECK(IsValidInstanceId("i-12345678"));
  CHECK(IsValidInstanceId("i-0123456789abcdef0"));
  CHECK(IsValidInstanceId("mi-0123456789abcdef0"));
  CHECK_FALSE(IsValidInstanceId("i-1234567"));
  CHECK_FALSE(IsValidInstanceId("i-0123456789abcdef"));
  CHECK_FALSE(IsValidInstanceId("mi-12345678"));
  CHECK_FALSE(IsValidInstanceId("i-0123-56789abcdef0"));
  CHECK_FALSE(IsValidInstanceId(""));
  CHECK_FALSE(IsValidInstanceId("x-12345678"));
}

TEST_CASE("other actions", "[validation]") {
  CHECK_FALSE(Validate("{}", "DescribeInstanceInformation"));
  CHECK_FALSE(Validate("{}", "ListCommands"));
  REQUIRE(Validate("{\"CommandId\":\"x\"}", "ListCommands"));
  auto e = Validate("{\"InstanceIds\":[\"i-08b0130f3ddd5f444\"]}", "SendCommand");
  REQUIRE(e);
  CHECK(e->message.find("at 'documentName'") != std::string::npos);
}

}  // namespace
}  // namespace ssm
