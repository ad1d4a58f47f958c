// Credential chain and region resolution (proxy/aws/aws_credentials.h, proxy/aws/aws_region.h), with an injected
// environment: the process environment is never touched.
#include "proxy/aws/aws_credentials.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <catch2/catch.hpp>

#include "proxy/aws/aws_region.h"

namespace fs = std::filesystem;

namespace ssm {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ssm-creds-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string Write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  fs::path path_;
};

const char kProfiles[] =
    "# shared credentials\r\n"
    "; another comment style\r\n"
    "\r\n"
    "[default]\r\n"
    "aws_access_key_id = AKIADEFAULTEXAMPLE01\r\n"
    "aws_secret_access_key=defaultSecret/Example+Key\r\n"
    "\r\n"
    "  [ dev ]  \r\n"
    "   AWS_Access_Key_ID   :   ASIADEVEXAMPLE000002   \r\n"
    "\taws_secret_access_key = devSecret=with=equals\r\n"
    "aws_session_token = FwoGZXIvYXdzEExampleDevToken//==\r\n"
    "region = eu-west-1\r\n"
    "s3 =\r\n"
    "    max_concurrent_requests = 20\r\n"
    "\r\n"
    "[partial]\n"
    "aws_access_key_id = AKIAPARTIALEXAMPLE03\n";

bool Mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("credentials from the environment come first", "[credentials]") {
  TempDir home;
  home.Write(".aws/credentials", kProfiles);
  SECTION("both variables: used, file ignored") {
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv({{"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001"},
                                                           {"AWS_SECRET_ACCESS_KEY", "envSecret"},
                                                           {"HOME", home.path().string()}}));
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIAENVEXAMPLE000001");
    CHECK(c->secret_access_key == "envSecret");
    CHECK(c->session_token.empty());
    CHECK(c->source == "environment");
    CHECK(RedactedKeyId(*c) == "AKIA****");
  }
  SECTION("with a session token") {
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv({{"AWS_ACCESS_KEY_ID", "ASIAENVEXAMPLE000001"},
                                                           {"AWS_SECRET_ACCESS_KEY", "envSecret"},
                                                           {"AWS_SESSION_TOKEN", "envToken"}}));
    REQUIRE(c.ok());
    CHECK(c->session_token == "envToken");
  }
  SECTION("only one of the pair is an error naming both variables, not a value") {
    Result<AwsCredentials> c = ResolveCredentials(
        FakeEnv({{"AWS_ACCESS_KEY_ID", "AKIAENVEXAMPLE000001"}, {"HOME", home.path().string()}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsInvalidArgument());
    CHECK(Mentions(c.status(), "AWS_SECRET_ACCESS_KEY"));
    CHECK(Mentions(c.status(), "AWS_ACCESS_KEY_ID"));
    CHECK_FALSE(Mentions(c.status(), "AKIAENVEXAMPLE000001"));
  }
  SECTION("empty values count as unset: falls through to the file") {
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv(
        {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}, {"HOME", home.path().string()}}));
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIADEFAULTEXAMPLE01");
  }
}

TEST_CASE("credentials from the shared credentials file", "[credentials]") {
  TempDir dir;
  const std::string custom = dir.Write("custom/creds.ini", kProfiles);
  SECTION("$HOME/.aws/credentials, profile default") {
    const std::string path = dir.Write(".aws/credentials", kProfiles);
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv({{"HOME", dir.path().string()}}));
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIADEFAULTEXAMPLE01");
    CHECK(c->secret_access_key == "defaultSecret/Example+Key");
    CHECK(c->session_token.empty());
    CHECK(c->source == "shared credentials file " + path + " (profile default)");
  }
  SECTION("AWS_SHARED_CREDENTIALS_FILE and AWS_PROFILE; whitespace, case, ':' and a session token") {
    Result<AwsCredentials> c = ResolveCredentials(
        FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", custom}, {"AWS_PROFILE", "dev"}, {"HOME", "/nonexistent"}}));
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "ASIADEVEXAMPLE000002");
    CHECK(c->secret_access_key == "devSecret=with=equals");
    CHECK(c->session_token == "FwoGZXIvYXdzEExampleDevToken//==");
  }
  SECTION("a leading ~/ in AWS_SHARED_CREDENTIALS_FILE is $HOME") {
    Result<AwsCredentials> c = ResolveCredentials(
        FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", "~/custom/creds.ini"}, {"HOME", dir.path().string()}}));
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "AKIADEFAULTEXAMPLE01");
  }
  SECTION("a profile without its secret names the missing key, not the key id") {
    Result<AwsCredentials> c =
        ResolveCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", custom}, {"AWS_PROFILE", "partial"}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsInvalidArgument());
    CHECK(Mentions(c.status(), "aws_secret_access_key"));
    CHECK(Mentions(c.status(), "[partial]"));
    CHECK(Mentions(c.status(), custom));
    CHECK_FALSE(Mentions(c.status(), "AKIAPARTIALEXAMPLE03"));
  }
  SECTION("an absent profile: NotFound naming the profile and the file") {
    Result<AwsCredentials> c =
        ResolveCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", custom}, {"AWS_PROFILE", "prod"}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsNotFound());
    CHECK(Mentions(c.status(), "[prod]"));
    CHECK(Mentions(c.status(), custom));
    CHECK(Mentions(c.status(), "AWS_ACCESS_KEY_ID"));
  }
}

TEST_CASE("no credentials anywhere: the message names every place looked", "[credentials]") {
  TempDir home;  // exists, but has no .aws/credentials
  SECTION("default file and profile") {
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv({{"HOME", home.path().string()}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsNotFound());
    for (const std::string& place :
         {std::string("AWS_ACCESS_KEY_ID"), std::string("AWS_SECRET_ACCESS_KEY"),
          std::string("AWS_SESSION_TOKEN"),
          (home.path() / ".aws/credentials").string(), std::string("[default]"), std::string("AWS_PROFILE"),
          std::string("AWS_SHARED_CREDENTIALS_FILE"), std::string("does not exist")}) {
      INFO(c.status().message());
      CHECK(Mentions(c.status(), place));
    }
  }
  SECTION("a named file and profile") {
    const std::string missing = (home.path() / "nope.ini").string();
    Result<AwsCredentials> c = ResolveCredentials(
        FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", missing}, {"AWS_PROFILE", "ops"}, {"HOME", "/x"}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsNotFound());
    CHECK(Mentions(c.status(), missing));
    CHECK(Mentions(c.status(), "[ops]"));
  }
  SECTION("a path that is not a readable file is an IO error, not \"not found\"") {
    Result<AwsCredentials> c =
        ResolveCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", home.path().string()}}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().code() == Status::Code::kIOError);
    CHECK(Mentions(c.status(), home.path().string()));
  }
  SECTION("no HOME at all") {
    Result<AwsCredentials> c = ResolveCredentials(FakeEnv({}));
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsNotFound());
    CHECK(Mentions(c.status(), "HOME is not set"));
  }
}

TEST_CASE("a malformed credentials file is an error naming file and line, never the content",
          "[credentials]") {
  struct Bad {
    std::string text;
    int line;
  };
  const std::vector<Bad> bad = {
      {"[default]\naws_access_key_id = AKIAOK\nwJalrSECRETonItsOwnLine\n", 3},  // no '=': not a key
      {"aws_secret_access_key = wJalrSECRETbeforeSection\n[default]\n", 1},    // before any section
      {"# c\n[default\naws_secret_access_key = wJalrSECRET\n", 2},              // unterminated section
      {"[default]\n = wJalrSECRETwithoutKey\n", 2},                             // empty key
  };
  for (const Bad& b : bad) {
    Result<AwsCredentials> c = ParseCredentialsFile(b.text, "default", "/some/creds");
    INFO(b.text);
    REQUIRE_FALSE(c.ok());
    CHECK(c.status().IsCorruption());
    CHECK(Mentions(c.status(), "/some/creds line " + std::to_string(b.line)));
    CHECK_FALSE(Mentions(c.status(), "wJalr"));
  }
  // The same through the chain: the error is returned, not skipped as "not found".
  TempDir dir;
  const std::string path = dir.Write("creds", bad[0].text);
  Result<AwsCredentials> c = ResolveCredentials(FakeEnv({{"AWS_SHARED_CREDENTIALS_FILE", path}}));
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().IsCorruption());
}

TEST_CASE("region: --region, else AWS_REGION, else AWS_DEFAULT_REGION, else a clear error", "[credentials]") {
  const EnvLookup both = FakeEnv({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  CHECK(*ResolveRegion("ap-south-1", both) == "ap-south-1");
  CHECK(*ResolveRegion("", both) == "eu-west-1");
  const EnvLookup empty_first = FakeEnv({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  CHECK(*ResolveRegion("", empty_first) == "us-west-2");
  Result<std::string> none = ResolveRegion("", FakeEnv({}));
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().IsInvalidArgument());
  CHECK(Mentions(none.status(), "--region"));
  CHECK(Mentions(none.status(), "AWS_REGION"));
  CHECK(Mentions(none.status(), "AWS_DEFAULT_REGION"));
  Result<std::string> bad = ResolveRegion("", FakeEnv({{"AWS_REGION", "evil.example.com/"}}));
  REQUIRE_FALSE(bad.ok());
  CHECK(Mentions(bad.status(), "AWS_REGION"));
}

}  // namespace ssm
