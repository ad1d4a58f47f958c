#include "proxy/replay/nearest_tapes.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
constexpr char kInstance[] = "i-08b0130f3ddd5f444";

TapeKey Key(const std::string& command, const std::string& instance = kInstance,
            std::optional<std::string> plugin = {}) {
  return TapeKey::ForInvocation(command, instance, std::move(plugin)).value();
}

TapeKey Request(const std::string& action, const std::string& canonical_body) {
  return TapeKey::ForAction(action, canonical_body).value();
}

// `text` with the character at `at` replaced by `c`.
std::string With(std::string text, size_t at, char c) {
  text[at] = c;
  return text;
}

struct StoreFixture {
  StoreFixture() { store = std::move(TapeStore::Open(dir.Sub("store"), StoreOptions{}).value()); }
  void Put(const TapeKey& key) {
    Interaction in;
    in.action = key.action();
    in.request_body = key.is_invocation() ? "{}" : key.canonical_body();
    in.status = 200;
    in.response_body = "{}";
    WriteBatch batch;
    batch.ReplaceTape(key, {in});
    REQUIRE(store->Write(batch).ok());
  }
  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
};

TEST_CASE("edit distance counts insertions, deletions and substitutions", "[nearest]") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("abc", "abc") == 0);
  CHECK(EditDistance("abc", "abd") == 1);
  CHECK(EditDistance("abc", "ab") == 1);
  CHECK(EditDistance("ab", "abc") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abcd") == 4);
  CHECK(EditDistance(kCmd, With(kCmd, 0, '0')) == 1);
}

TEST_CASE("one-edit variants of a CommandId cover every single typo", "[nearest]") {
  std::vector<std::string> variants = OneEditVariants("a1-b");
  auto has = [&](const std::string& s) { return std::binary_search(variants.begin(), variants.end(), s); };
  CHECK(std::is_sorted(variants.begin(), variants.end()));
  CHECK(has("f1-b"));   // substitution
  CHECK(has("a1-"));    // deletion
  CHECK(has("a1-bc"));  // insertion
  CHECK(has("1a-b"));   // neighbours swapped
  CHECK_FALSE(has("a1-b"));
  CHECK_FALSE(has("A1-b"));  // not in the alphabet: CommandIds are lowercase hex
  // Every variant of a UUID is one edit from it.
  for (const std::string& v : OneEditVariants(kCmd)) {
    INFO(v);
    CHECK(EditDistance(v, kCmd) <= 2);  // a swap is two Levenshtein edits
  }
}

TEST_CASE("ranking: CommandId distance first, then InstanceId, then PluginName", "[nearest]") {
  std::string one_off = With(kCmd, 10, 'f');
  std::string two_off = With(one_off, 20, '0');
  std::vector<TapeKey> candidates = {
      Key(two_off),
      Key(one_off, "i-08b0130f3ddd5f445"),
      Key(one_off),
      Key(kCmd, "i-06abcb62579f94ac0"),
      Key(kCmd, kInstance, std::string("PatchLinux")),
      Key("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8"),  // far: not near at all
      Key(kCmd),                                     // the key itself
      Request("SendCommand", "{}"),                  // another kind of tape
  };
  std::vector<TapeKey> ranked = RankNearest(Key(kCmd), candidates, 10);
  REQUIRE(ranked.size() == 5);
  CHECK(ranked[0] == Key(kCmd, kInstance, std::string("PatchLinux")));
  CHECK(ranked[1] == Key(kCmd, "i-06abcb62579f94ac0"));
  CHECK(ranked[2] == Key(one_off));
  CHECK(ranked[3] == Key(one_off, "i-08b0130f3ddd5f445"));
  CHECK(ranked[4] == Key(two_off));
  CHECK(RankNearest(Key(kCmd), candidates, 2).size() == 2);
}

TEST_CASE("ranking of other actions: same action, fewest differing fields first", "[nearest]") {
  TapeKey wanted = Request("SendCommand", R"({"Comment":"x","DocumentName":"AWS-RunShellScript","TimeoutSeconds":60})");
  TapeKey one = Request("SendCommand", R"({"Comment":"y","DocumentName":"AWS-RunShellScript","TimeoutSeconds":60})");
  TapeKey three = Request("SendCommand", R"({"DocumentName":"AWS-RunPowerShellScript","TimeoutSeconds":30})");
  TapeKey other_action = Request("ListCommands", R"({"Comment":"x"})");
  std::vector<TapeKey> ranked = RankNearest(wanted, {three, other_action, one}, 5);
  REQUIRE(ranked.size() == 2);
  CHECK(ranked[0] == one);
  CHECK(ranked[1] == three);
}

TEST_CASE("a store names the tape of a one-character-off CommandId, wherever the typo is", "[nearest]") {
  StoreFixture f;
  f.Put(Key(kCmd));
  f.Put(Key(kCmd, "i-06abcb62579f94ac0"));
  f.Put(Key("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8"));
  std::string cmd = kCmd;
  for (size_t at : {size_t{0}, size_t{9}, cmd.size() - 1}) {
    std::string typo = With(cmd, at, cmd[at] == 'a' ? 'b' : 'a');
    INFO(typo);
    std::vector<TapeKey> nearest = FindNearestTapes(*f.store, Key(typo), 5);
    REQUIRE(nearest.size() == 2);
    CHECK(nearest[0] == Key(kCmd));
    CHECK(nearest[1] == Key(kCmd, "i-06abcb62579f94ac0"));
  }
  // A dropped character and a truncated CommandId are found too.
  CHECK(FindNearestTapes(*f.store, Key(cmd.substr(0, 5) + cmd.substr(6)), 1).front() == Key(kCmd));
  CHECK(FindNearestTapes(*f.store, Key(cmd.substr(0, cmd.size() - 3)), 1).front() == Key(kCmd));
  CHECK(FindNearestTapes(*f.store, Key("00000000-0000-0000-0000-000000000000"), 5).empty());
}

TEST_CASE("a store names the closest recorded request of the same action", "[nearest]") {
  StoreFixture f;
  TapeKey shell = Request("SendCommand", R"({"DocumentName":"AWS-RunShellScript","TimeoutSeconds":60})");
  TapeKey powershell = Request("SendCommand", R"({"DocumentName":"AWS-RunPowerShellScript","TimeoutSeconds":30})");
  f.Put(shell);
  f.Put(powershell);
  f.Put(Request("ListCommands", R"({"DocumentName":"AWS-RunShellScript","TimeoutSeconds":61})"));
  TapeKey wanted = Request("SendCommand", R"({"DocumentName":"AWS-RunShellScript","TimeoutSeconds":61})");
  std::vector<TapeKey> nearest = FindNearestTapes(*f.store, wanted, 5);
  REQUIRE(nearest.size() == 2);
  CHECK(nearest[0] == shell);
  CHECK(nearest[0].canonical_body() == shell.canonical_body());  // listed with its body, for the diff
  CHECK(nearest[1] == powershell);
}

}  // namespace
}  // namespace ssm
