// The shared config/credentials files as botocore maps them (proxy/aws/credentials/profile_files.h).
#include "proxy/aws/credentials/profile_files.h"

#include "credential_fakes.h"

namespace ssm {
namespace {

using testing::FakeEnv;
using testing::TempHome;

TEST_CASE("INI text parses as RawConfigParser reads it", "[credentials][profile_files]") {
  Result<IniFile> ini = ParseIni(
      "\xEF\xBB\xBF# comment\r\n; other comment\n\n[profile dev]\r\n  Region = eu-west-1 \n"
      "role_arn: arn:aws:iam::1:role/r\ns3 =\n    max_concurrent_requests = 20\n[sso-session corp]\n"
      "sso_start_url = https://x/start\n[profile dev]\nregion = us-west-2\n",
      "config file /c");
  REQUIRE(ini.ok());
  const IniSection& dev = ini.value().at("profile dev");
  CHECK(dev.at("region") == "us-west-2");  // a repeated section merges, later keys win
  CHECK(dev.at("role_arn") == "arn:aws:iam::1:role/r");
  CHECK(dev.at("s3") == "\nmax_concurrent_requests = 20");
  CHECK(ini.value().at("sso-session corp").at("sso_start_url") == "https://x/start");
}

TEST_CASE("malformed INI names file and line, never the content", "[credentials][profile_files]") {
  Result<IniFile> ini = ParseIni("[default]\naws_secret_access_key\n", "shared credentials file /c");
  REQUIRE_FALSE(ini.ok());
  CHECK(testing::Mentions(ini.status(), "/c line 2"));
  CHECK_FALSE(testing::Mentions(ini.status(), "aws_secret_access_key"));
  CHECK_FALSE(ParseIni("key = before any section\n", "f").ok());
  CHECK_FALSE(ParseIni("[unclosed\n", "f").ok());
}

TEST_CASE("profiles: [profile x] and [default] in config, every section in credentials, credentials win",
          "[credentials][profile_files]") {
  TempHome home;
  home.Write(".aws/config",
             "[default]\nregion = us-east-1\n[profile dev]\naws_access_key_id = AKIACONFIG\nregion = eu-west-1\n"
             "[notaprofile]\nx = 1\n[profile  spaced ]\nregion = ap-south-1\n[sso-session corp]\nsso_region = eu-west-1\n");
  home.Write(".aws/credentials", "[dev]\naws_access_key_id = AKIACREDS\n[notaprofile]\ny = 2\n");
  Result<ProfileFiles> files = LoadProfileFiles(FakeEnv({{"HOME", home.path()}}));
  REQUIRE(files.ok());
  CHECK(files->config_path == home.path() + "/.aws/config");
  CHECK(ValueOf(files->Profile("dev"), "aws_access_key_id") == "AKIACREDS");
  CHECK(ValueOf(files->Profile("dev"), "region") == "eu-west-1");
  CHECK(ValueOf(files->Profile("default"), "region") == "us-east-1");
  CHECK(ValueOf(files->Profile("spaced"), "region") == "ap-south-1");
  CHECK(files->config_profiles.count("notaprofile") == 0);   // not "[profile notaprofile]"
  CHECK(files->credentials_profiles.count("notaprofile") == 1);
  CHECK(files->sso_sessions.at("corp").at("sso_region") == "eu-west-1");
}

TEST_CASE("AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE replace the defaults; absent files are empty",
          "[credentials][profile_files]") {
  TempHome home;
  const std::string config = home.Write("elsewhere/cfg", "[profile p]\nregion = eu-north-1\n");
  Result<ProfileFiles> files = LoadProfileFiles(FakeEnv(
      {{"HOME", home.path()}, {"AWS_CONFIG_FILE", config}, {"AWS_SHARED_CREDENTIALS_FILE", "~/missing"}}));
  REQUIRE(files.ok());
  CHECK(files->credentials_path == home.path() + "/missing");
  CHECK(ValueOf(files->Profile("p"), "region") == "eu-north-1");
  CHECK(files->credentials_profiles.empty());

  home.Write("bad", "[default]\nthis line is broken\n");
  Result<ProfileFiles> broken = LoadProfileFiles(FakeEnv({{"HOME", home.path()}, {"AWS_CONFIG_FILE", home.path() + "/bad"}}));
  REQUIRE_FALSE(broken.ok());
  CHECK(testing::Mentions(broken.status(), "line 2"));
}

TEST_CASE("a path that is not a readable file is an error; no HOME means no default files",
          "[credentials][profile_files]") {
  TempHome home;
  Result<ProfileFiles> directory =
      LoadProfileFiles(FakeEnv({{"HOME", home.path()}, {"AWS_SHARED_CREDENTIALS_FILE", home.path()}}));
  REQUIRE_FALSE(directory.ok());
  CHECK(testing::Mentions(directory.status(), "is a directory"));

  Result<ProfileFiles> homeless = LoadProfileFiles(FakeEnv({}));
  REQUIRE(homeless.ok());
  CHECK(homeless->config_path.empty());
  CHECK(homeless->profiles.empty());
}

}  // namespace
}  // namespace ssm
