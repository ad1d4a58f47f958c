// Credentials as values and region resolution (proxy/aws/aws_credentials.h, proxy/aws/aws_region.h),
// with an injected environment: the process environment is never touched. The chain that finds
// credentials is tested in credential_*_test.cc.
#include "proxy/aws/aws_credentials.h"

#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "proxy/aws/aws_region.h"

namespace ssm {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

bool Mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("fixed credentials and the redacted key id", "[credentials]") {
  AwsCredentials c;
  c.access_key_id = "ASIAEXAMPLEKEY00001";
  c.secret_access_key = "secret";
  CHECK(RedactedKeyId(c) == "ASIA****");
  Result<AwsCredentials> current = FixedCredentials(c)->Current();
  REQUIRE(current.ok());
  CHECK(current->access_key_id == c.access_key_id);
}

TEST_CASE("region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, else a clear error", "[credentials]") {
  const EnvLookup both = FakeEnv({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  CHECK(*ResolveRegion("ap-south-1", both, "sa-east-1") == "ap-south-1");
  CHECK(*ResolveRegion("", both, "sa-east-1") == "eu-west-1");
  const EnvLookup empty_first = FakeEnv({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  CHECK(*ResolveRegion("", empty_first, "sa-east-1") == "us-west-2");
  CHECK(*ResolveRegion("", FakeEnv({}), "sa-east-1") == "sa-east-1");
  Result<std::string> none = ResolveRegion("", FakeEnv({}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().IsInvalidArgument());
  CHECK(Mentions(none.status(), "--region"));
  CHECK(Mentions(none.status(), "AWS_REGION"));
  CHECK(Mentions(none.status(), "AWS_DEFAULT_REGION"));
  CHECK(Mentions(none.status(), "profile"));
  Result<std::string> bad = ResolveRegion("", FakeEnv({{"AWS_REGION", "evil.example.com/"}}));
  REQUIRE_FALSE(bad.ok());
  CHECK(Mentions(bad.status(), "AWS_REGION"));
  CHECK_FALSE(ResolveRegion("", FakeEnv({}), "bad region").ok());
}

}  // namespace ssm
