#include <catch2/catch.hpp>

#include "store/canonical_json.h"

using ssm::CanonicalJson;

TEST_CASE("field order and whitespace do not change the canonical form", "[canonical_json]") {
  auto a = CanonicalJson(R"({"InstanceId": "i-1",  "CommandId":"c", "Nested": {"b": 1, "a": [2, 1]}})");
  auto b = CanonicalJson("{\n\"CommandId\":\"c\",\"Nested\":{\"a\":[2,1],\"b\":1},\"InstanceId\":\"i-1\"}\n");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(*a == R"({"CommandId":"c","InstanceId":"i-1","Nested":{"a":[2,1],"b":1}})");
}

TEST_CASE("array order is significant", "[canonical_json]") {
  CHECK(*CanonicalJson("[1,2]") != *CanonicalJson("[2,1]"));
}

TEST_CASE("an empty body is the empty object SDKs send", "[canonical_json]") {
  CHECK(*CanonicalJson("") == "{}");
  CHECK(*CanonicalJson(" \n") == "{}");
  CHECK(*CanonicalJson("{ }") == "{}");
}

TEST_CASE("non-ASCII text stays UTF-8", "[canonical_json]") {
  CHECK(*CanonicalJson(R"({"Comment":"d\u00e9ploiement ✓"})") == "{\"Comment\":\"déploiement ✓\"}");
}

TEST_CASE("malformed JSON is an error naming the problem", "[canonical_json]") {
  auto r = CanonicalJson("{\"CommandId\": ");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().IsInvalidArgument());
  CHECK_THAT(r.status().message(), Catch::Contains("not valid JSON"));
  CHECK_FALSE(CanonicalJson("{\"a\":\"\xff\"}").ok());
}
