#include "tools/tape_hash.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <catch2/catch.hpp>

#include "store/tape_store.h"
#include "test_util.h"

namespace ssm {
namespace {

struct HashFixture {
  HashFixture() { store = std::move(TapeStore::Open(dir.Sub("store")).value()); }
  TapeKey Put(const std::string& action, const std::string& body) {
    TapeKey key = TapeKey::ForAction(action, body).value();
    Interaction in;
    in.action = action;
    in.request_body = body;
    in.status = 200;
    WriteBatch batch;
    batch.ReplaceTape(key, {in});
    REQUIRE(store->Write(batch).ok());
    return key;
  }
  test::TempDir dir;
  std::unique_ptr<TapeStore> store;
};

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

TEST_CASE("a short hash is what Describe prints; invocation tapes have none", "[tape_hash]") {
  TapeKey key = TapeKey::ForAction("SendCommand", "{\"DocumentName\":\"AWS-RunShellScript\"}").value();
  CHECK(ShortHash(key).size() == 16);
  CHECK(key.Describe() == "SendCommand request sha256:" + ShortHash(key));
  CHECK(ShortHash(TapeKey::ForInvocation("c", "i-1", std::nullopt).value()).empty());
}

TEST_CASE("a short hash resolves to its tape: whole, as a prefix, with sha256:, in any case", "[tape_hash]") {
  HashFixture f;
  TapeKey send = f.Put("SendCommand", "{\"DocumentName\":\"AWS-RunShellScript\"}");
  TapeKey list = f.Put("ListCommands", "{\"CommandId\":\"16ea0bfb-5cdb-4254-873d-021a57c8ab3a\"}");
  for (const TapeKey& key : {send, list}) {
    std::string hash = ShortHash(key);
    // An odd number of digits too: the scan covers the whole bytes, the last digit is compared after.
    for (const std::string& given :
         {hash, hash.substr(0, 8), hash.substr(0, 5), "sha256:" + hash, Upper(hash.substr(0, 6))}) {
      INFO(given);
      Result<TapeKey> found = ResolveShortHash(*f.store, given);
      REQUIRE(found.ok());
      CHECK(*found == key);
    }
  }
}

TEST_CASE("an unknown or malformed short hash is an error saying so", "[tape_hash]") {
  HashFixture f;
  TapeKey key = f.Put("ListCommands", "{\"MaxResults\":5}");
  Result<TapeKey> too_short = ResolveShortHash(*f.store, ShortHash(key).substr(0, 3));
  REQUIRE_FALSE(too_short.ok());
  CHECK(too_short.status().IsInvalidArgument());
  CHECK(too_short.status().message().find("at least 4 hex digits") != std::string::npos);

  Result<TapeKey> not_hex = ResolveShortHash(*f.store, "sha256:xyz12345");
  REQUIRE_FALSE(not_hex.ok());
  CHECK(not_hex.status().IsInvalidArgument());

  // The hash with its last digit changed: no tape has it.
  std::string other = ShortHash(key);
  other.back() = other.back() == '0' ? '1' : '0';
  Result<TapeKey> missing = ResolveShortHash(*f.store, other);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message().find("ssm-replay list") != std::string::npos);
}

TEST_CASE("an ambiguous short hash lists the tapes it matches", "[tape_hash]") {
  HashFixture f;
  // Bodies until two hashes share four digits (expected after ~256 tapes; bounded at 5,000).
  std::map<std::string, TapeKey> by_prefix;
  std::string shared;
  for (int i = 0; i < 5000 && shared.empty(); ++i) {
    TapeKey key = TapeKey::ForAction("ListCommands", "{\"MaxResults\":" + std::to_string(i) + "}").value();
    std::string prefix = ShortHash(key).substr(0, 4);
    auto [it, inserted] = by_prefix.emplace(prefix, key);
    if (!inserted) {
      f.Put("ListCommands", it->second.canonical_body());
      f.Put("ListCommands", key.canonical_body());
      shared = prefix;
    }
  }
  REQUIRE(!shared.empty());
  Result<TapeKey> ambiguous = ResolveShortHash(*f.store, shared);
  REQUIRE_FALSE(ambiguous.ok());
  const std::string& m = ambiguous.status().message();
  INFO(m);
  CHECK(ambiguous.status().IsInvalidArgument());
  CHECK(m.find("ambiguous: 2 tapes match") != std::string::npos);
  CHECK(m.find(by_prefix.at(shared).Describe()) != std::string::npos);
  CHECK(m.find("give more digits") != std::string::npos);
}

}  // namespace
}  // namespace ssm
