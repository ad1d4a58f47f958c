// The default chain's order and its messages (proxy/aws/credentials/credential_chain.h), against
// files in a temporary HOME and fake STS/IMDS endpoints on loopback.
#include "proxy/aws/credentials/credential_chain.h"

#include <chrono>

#include "credential_fakes.h"

namespace ssm {
namespace {

using testing::FakeEndpoint;
using testing::FakeEnv;
using testing::Mentions;
using testing::TempHome;
namespace fs = std::filesystem;

Result<AwsCredentials> Resolve(std::map<std::string, std::string> env, const std::string& profile_flag = "") {
  env.emplace("AWS_EC2_METADATA_DISABLED", "true");
  Result<CredentialContext> context = MakeCredentialContext(FakeEnv(env), profile_flag, "us-east-1");
  if (!context.ok()) return context.status();
  CredentialChain chain(DefaultProviders(context.value()));
  return chain.Load();
}

// A fake STS answering AssumeRole with a key derived from the caller's key id, as tests/e2e's does.
void ServeAssumeRole(FakeEndpoint* sts) {
  sts->On("POST", "/", [](const testing::SeenRequest& req, httplib::Response& res) {
    const std::string auth = req.Header("Authorization");
    const size_t at = auth.find("Credential=") + 11;
    const std::string caller = auth.substr(at, auth.find('/', at) - at);
    res.set_content(testing::StsCredentialsXml("AssumeRole", "ASIA-FROM-" + caller, "s", "t",
                                               "2099-01-01T00:00:00Z"),
                    "text/xml");
  });
  sts->Start();
}

TEST_CASE("environment keys come first, even before the profile's", "[credentials][chain]") {
  TempHome home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n");
  Result<AwsCredentials> c = Resolve({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                      {"AWS_SECRET_ACCESS_KEY", "s"}, {"AWS_SESSION_TOKEN", "tok"}});
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIAENV");
  CHECK(c->session_token == "tok");
  CHECK(c->source == "environment");

  SECTION("serve --profile drops the environment provider, as botocore does for an explicit profile") {
    Result<AwsCredentials> p = Resolve({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                        {"AWS_SECRET_ACCESS_KEY", "s"}},
                                       "default");
    REQUIRE(p.ok());
    CHECK(p->access_key_id == "AKIAFILE");
  }
  SECTION("a key id without its secret is an error, not a fall-through") {
    Result<AwsCredentials> partial = Resolve({{"HOME", home.path()}, {"AWS_ACCESS_KEY_ID", "AKIAENV"}});
    REQUIRE_FALSE(partial.ok());
    CHECK(Mentions(partial.status(), "AWS_SECRET_ACCESS_KEY"));
  }
}

TEST_CASE("shared credentials file beats credential_process, which beats config file keys", "[credentials][chain]") {
  TempHome home;
  const std::string script = home.Write("cred.sh",
      "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROCESS\", \"SecretAccessKey\": \"s\"}'\n");
  fs::permissions(script, fs::perms::owner_all);
  home.Write(".aws/config", "[profile p]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n"
                            "credential_process = " + script + "\n");
  Result<AwsCredentials> process = Resolve({{"HOME", home.path()}, {"AWS_PROFILE", "p"}});
  REQUIRE(process.ok());
  CHECK(process->access_key_id == "AKIAPROCESS");

  home.Write(".aws/credentials", "[p]\naws_access_key_id = AKIACREDS\naws_secret_access_key = s\n");
  Result<AwsCredentials> creds = Resolve({{"HOME", home.path()}, {"AWS_PROFILE", "p"}});
  REQUIRE(creds.ok());
  CHECK(creds->access_key_id == "AKIACREDS");
}

TEST_CASE("config file keys are used when nothing else is set", "[credentials][chain]") {
  TempHome home;
  home.Write(".aws/config", "[default]\naws_access_key_id = AKIACONFIG\naws_secret_access_key = s\n");
  Result<AwsCredentials> c = Resolve({{"HOME", home.path()}});
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIACONFIG");
  CHECK(Mentions(Status::NotFound(c->source), "config file"));
}

TEST_CASE("assume-role: source_profile chains are signed by their source, before static keys", "[credentials][chain]") {
  FakeEndpoint sts;
  ServeAssumeRole(&sts);
  TempHome home;
  home.Write(".aws/config",
             "[profile base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n"
             "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\nsource_profile = base\n"
             "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = middle\n"
             "external_id = ext-1\nrole_session_name = sess\nduration_seconds = 900\n"
             "aws_access_key_id = AKIATOPSTATIC\naws_secret_access_key = s\n");
  Result<AwsCredentials> c =
      Resolve({{"HOME", home.path()}, {"AWS_PROFILE", "top"}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIA-FROM-ASIA-FROM-AKIABASE");
  CHECK(c->expiration == ParseIso8601("2099-01-01T00:00:00Z"));
  std::vector<testing::SeenRequest> seen = sts.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].Header("Authorization").find("/us-east-1/sts/aws4_request") != std::string::npos);
  CHECK(seen[0].body.find("RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fmiddle") != std::string::npos);
  CHECK(seen[0].body.find("RoleSessionName=botocore-session-") != std::string::npos);
  CHECK(seen[1].body.find("ExternalId=ext-1") != std::string::npos);
  CHECK(seen[1].body.find("RoleSessionName=sess") != std::string::npos);
  CHECK(seen[1].body.find("DurationSeconds=900") != std::string::npos);
  CHECK(seen[1].Header("X-Amz-Security-Token") == "t");
}

TEST_CASE("assume-role: cycles, bad settings and mfa_serial are refused with the reason", "[credentials][chain]") {
  TempHome home;
  home.Write(".aws/config",
             "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
             "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n"
             "[profile both]\nrole_arn = r\nsource_profile = a\ncredential_source = Environment\n"
             "[profile mfa]\nrole_arn = r\nsource_profile = a\nmfa_serial = arn:aws:iam::1:mfa/me\n"
             "[profile ghost]\nrole_arn = r\nsource_profile = nobody\n"
             "[profile badsource]\nrole_arn = r\ncredential_source = Somewhere\n");
  auto fails_with = [&](const std::string& profile, const std::string& text) {
    Result<AwsCredentials> c = Resolve({{"HOME", home.path()}, {"AWS_PROFILE", profile}});
    REQUIRE_FALSE(c.ok());
    INFO(c.status().message());
    CHECK(Mentions(c.status(), text));
  };
  fails_with("a", "cycle: a -> b -> a");
  fails_with("both", "both source_profile and credential_source");
  fails_with("mfa", "mfa_serial");
  fails_with("ghost", "source_profile nobody");
  fails_with("badsource", "credential_source Somewhere");
}

TEST_CASE("assume-role: credential_source Environment signs with the environment's keys", "[credentials][chain]") {
  FakeEndpoint sts;
  ServeAssumeRole(&sts);
  TempHome home;
  home.Write(".aws/config", "[profile r]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n");
  Result<AwsCredentials> c = Resolve({{"HOME", home.path()}, {"AWS_ENDPOINT_URL_STS", sts.url()},
                                      {"AWS_ACCESS_KEY_ID", "AKIAENV"}, {"AWS_SECRET_ACCESS_KEY", "s"}},
                                     "r");
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIA-FROM-AKIAENV");
}

TEST_CASE("STS AccessDenied is reported with STS's code and message", "[credentials][chain]") {
  FakeEndpoint sts;
  sts.On("POST", "/", [](const testing::SeenRequest&, httplib::Response& res) {
    res.status = 403;
    res.set_content("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
                    "arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole</Message></Error></ErrorResponse>",
                    "text/xml");
  });
  sts.Start();
  TempHome home;
  home.Write(".aws/config", "[profile r]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = s\n"
                            "[profile s]\naws_access_key_id = AKIASRC\naws_secret_access_key = TopSecret\n");
  Result<AwsCredentials> c = Resolve({{"HOME", home.path()}, {"AWS_PROFILE", "r"}, {"AWS_ENDPOINT_URL_STS", sts.url()}});
  REQUIRE_FALSE(c.ok());
  CHECK(Mentions(c.status(), "assume-role: profile [r]: STS AssumeRole for arn:aws:iam::1:role/r answered HTTP 403 "
                             "AccessDenied: User: arn:aws:iam::1:user/u is not authorized"));
  CHECK_FALSE(Mentions(c.status(), "TopSecret"));
}

TEST_CASE("no credentials: one message listing every provider and why it was skipped", "[credentials][chain]") {
  TempHome home;
  Result<AwsCredentials> c = Resolve({{"HOME", home.path()}});
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().IsNotFound());
  INFO(c.status().message());
  for (const char* line :
       {"- environment: AWS_ACCESS_KEY_ID is not set", "- assume-role: profile [default] has no role_arn",
        "- assume-role-with-web-identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set",
        "- sso: profile [default] has no sso_account_id", "- shared-credentials-file: shared credentials file",
        "- credential-process: profile [default] has no credential_process", "- config-file: config file",
        "- container-role: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "- iam-role (EC2 instance metadata): AWS_EC2_METADATA_DISABLED is true"}) {
    CHECK(Mentions(c.status(), line));
  }
}

TEST_CASE("an unreachable IMDS fails fast and is listed as skipped", "[credentials][chain]") {
  TempHome home;
  int closed_port = 0;
  {
    FakeEndpoint gone;  // bound then closed: nothing listens there
    closed_port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }
  Result<CredentialContext> context = MakeCredentialContext(
      FakeEnv({{"HOME", home.path()},
               {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(closed_port)}}),
      "", "us-east-1");
  REQUIRE(context.ok());
  const auto start = std::chrono::steady_clock::now();
  CredentialChain chain(DefaultProviders(context.value()));
  Result<AwsCredentials> c = chain.Load();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE_FALSE(c.ok());
  CHECK(Mentions(c.status(), "iam-role (EC2 instance metadata): instance metadata http://127.0.0.1:"));
  CHECK(Mentions(c.status(), "unreachable"));
}

}  // namespace
}  // namespace ssm
