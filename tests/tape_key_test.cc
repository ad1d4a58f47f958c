#include <catch2/catch.hpp>

#include "store/canonical_json.h"
#include "store/tape_key.h"

using ssm::TapeKey;

namespace {
TapeKey Inv(const std::string& c, const std::string& i, std::optional<std::string> p) {
  auto k = TapeKey::ForInvocation(c, i, p);
  REQUIRE(k.ok());
  return *k;
}
}  // namespace

TEST_CASE("absent PluginName is a different key from every string, the empty one included", "[tape_key]") {
  TapeKey absent = Inv("c", "i-1", std::nullopt);
  TapeKey empty = Inv("c", "i-1", std::string());
  TapeKey named = Inv("c", "i-1", std::string("aws:runShellScript"));
  CHECK(absent != empty);
  CHECK(absent != named);
  CHECK(empty != named);
  CHECK_FALSE(absent.plugin_name().has_value());
  CHECK(empty.plugin_name() == std::string());
}

TEST_CASE("invocation keys round-trip through their encoding", "[tape_key]") {
  for (auto plugin : {std::optional<std::string>(), std::optional<std::string>(""),
                      std::optional<std::string>("PatchLinux")}) {
    TapeKey k = Inv("16ea0bfb-5cdb-4254-873d-021a57c8ab3a", "i-08b0130f3ddd5f444", plugin);
    auto d = TapeKey::Decode(k.encoded());
    REQUIRE(d.ok());
    CHECK(*d == k);
    CHECK(d->command_id() == k.command_id());
    CHECK(d->instance_id() == k.instance_id());
    CHECK(d->plugin_name() == plugin);
  }
}

TEST_CASE("all tapes of a CommandId share a prefix no other CommandId's tape has", "[tape_key]") {
  std::string prefix = TapeKey::CommandIdPrefix("abc");
  CHECK(Inv("abc", "i-1", std::nullopt).encoded().rfind(prefix, 0) == 0);
  CHECK(Inv("abc", "i-2", std::string("p")).encoded().rfind(prefix, 0) == 0);
  CHECK(Inv("abcd", "i-1", std::nullopt).encoded().rfind(prefix, 0) != 0);
  CHECK(Inv("ab", "ci-1", std::nullopt).encoded().rfind(prefix, 0) != 0);
}

TEST_CASE("keys order by CommandId, then InstanceId, then PluginName with absent first", "[tape_key]") {
  CHECK(Inv("a", "i-2", std::nullopt) < Inv("b", "i-1", std::nullopt));
  CHECK(Inv("a", "i-1", std::string("z")) < Inv("a", "i-2", std::nullopt));
  CHECK(Inv("a", "i-1", std::nullopt) < Inv("a", "i-1", std::string("")));
  CHECK(Inv("a", "i-1", std::string("")) < Inv("a", "i-1", std::string("a")));
  // "a" must sort before "a" + anything, including a longer CommandId.
  CHECK(Inv("a", "z", std::nullopt) < Inv("a0", "a", std::nullopt));
}

TEST_CASE("action keys hash the canonical body and decode without it", "[tape_key]") {
  auto body = ssm::CanonicalJson(R"({"InstanceIds":["i-1"],"DocumentName":"AWS-RunShellScript"})");
  REQUIRE(body.ok());
  auto k = TapeKey::ForAction("SendCommand", *body);
  REQUIRE(k.ok());
  CHECK(k->encoded().size() == 1 + 11 + 1 + 32);
  auto d = TapeKey::Decode(k->encoded());
  REQUIRE(d.ok());
  CHECK(*d == *k);
  CHECK_FALSE(d->has_body());
  CHECK(d->Describe() == k->Describe());
  auto other = TapeKey::ForAction("SendCommand", "{}");
  CHECK(*other != *k);
  auto other_action = TapeKey::ForAction("ListCommands", *body);
  CHECK(*other_action != *k);
}

TEST_CASE("keys that cannot be encoded are refused with a reason", "[tape_key]") {
  CHECK_FALSE(TapeKey::ForInvocation(std::string("a\0b", 3), "i", std::nullopt).ok());
  CHECK_FALSE(TapeKey::ForInvocation("c", "i", std::string(600, 'p')).ok());
  CHECK_FALSE(TapeKey::ForAction("", "{}").ok());
  CHECK_FALSE(TapeKey::Decode("").ok());
  CHECK_FALSE(TapeKey::Decode("Xjunk").ok());
  CHECK_FALSE(TapeKey::Decode(std::string("Ic\0i", 4)).ok());
  CHECK_FALSE(TapeKey::Decode(std::string("ASendCommand\0short", 18)).ok());
}

TEST_CASE("Describe speaks SSM", "[tape_key]") {
  CHECK(Inv("c-1", "i-1", std::nullopt).Describe() ==
        "GetCommandInvocation CommandId=c-1 InstanceId=i-1 PluginName=(absent)");
  CHECK(Inv("c-1", "i-1", std::string("PatchLinux")).Describe() ==
        "GetCommandInvocation CommandId=c-1 InstanceId=i-1 PluginName=PatchLinux");
}
