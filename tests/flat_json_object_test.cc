#include "proxy/ssm/flat_json_object.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/canonical_json.h"

namespace ssm {
namespace {

// The fast path must agree with the full canonicaliser on every body it takes.
void CheckAgreesWithCanonicalJson(const std::string& text) {
  INFO(text);
  std::optional<std::vector<FlatMember>> members = ParseFlatJsonObject(text);
  REQUIRE(members.has_value());
  Result<std::string> canonical = CanonicalJson(text);
  REQUIRE(canonical.ok());
  CHECK(CanonicalFlatJson(*members) == canonical.value());
}

TEST_CASE("flat objects of plain strings are read without a DOM", "[flat_json]") {
  std::string text = R"({"InstanceId": "i-0123456789abcdef0", "CommandId":"3f6b2a9e-1c4d"})";
  auto members = ParseFlatJsonObject(text);
  REQUIRE(members.has_value());
  REQUIRE(members->size() == 2);
  CHECK((*members)[0].name == "CommandId");  // sorted by name
  CHECK(FindFlatMember(*members, "CommandId") == std::optional<std::string_view>("3f6b2a9e-1c4d"));
  CHECK(FindFlatMember(*members, "InstanceId") == std::optional<std::string_view>("i-0123456789abcdef0"));
  CHECK_FALSE(FindFlatMember(*members, "PluginName").has_value());
  CHECK(CanonicalFlatJson(*members) == R"({"CommandId":"3f6b2a9e-1c4d","InstanceId":"i-0123456789abcdef0"})");
}

TEST_CASE("the fast path's canonical form is CanonicalJson's", "[flat_json]") {
  for (const char* text : {"", "  \n", "{}", " { } ", R"({"a":""})", "{\"b\":\"x\",\n\t\"a\":\"y\"}\r\n",
                           R"({"PluginName":"aws:runShellScript","CommandId":"c","InstanceId":"mi-1"})",
                           R"({"Z":"/path/with spaces & symbols!#$%"})", R"({"":"empty name"})"}) {
    CheckAgreesWithCanonicalJson(text);
  }
}

TEST_CASE("bodies of any other shape are left to the full parser", "[flat_json]") {
  for (const char* text : {
           R"({"MaxResults":50})",               // a number
           R"({"a":null})", R"({"a":true})",    // other literals
           R"({"a":{"b":"c"}})", R"({"a":["b"]})",  // nesting
           R"({"a":"\u0041"})", R"({"a":"x\"y"})",  // escapes
           "{\"a\":\"caf\xc3\xa9\"}",            // non-ASCII
           "{\"a\":\"tab\there\"}",              // a raw control byte (invalid JSON)
           R"({"a":"1","a":"2"})",               // a repeated name: the full parser decides
           R"([])", R"("a")", R"({"a":"b"} x)",  // not an object, trailing bytes
           R"({"a":"b",})", R"({"a" "b"})", R"({"a":"b")", R"({"a)", "{", "}",  // broken
       }) {
    INFO(text);
    CHECK_FALSE(ParseFlatJsonObject(text).has_value());
  }
}

}  // namespace
}  // namespace ssm
