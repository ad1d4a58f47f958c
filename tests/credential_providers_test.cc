// Each provider alone against its fake: web identity (STS), SSO (portal + token cache), container
// endpoint, IMDSv2, credential_process (proxy/aws/credentials/*_provider.h).
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "credential_fakes.h"
#include "proxy/aws/credentials/container_provider.h"
#include "proxy/aws/credentials/credential_chain.h"
#include "proxy/aws/credentials/imds_provider.h"
#include "proxy/aws/credentials/process_provider.h"
#include "proxy/aws/credentials/sso_provider.h"
#include "proxy/aws/credentials/web_identity_provider.h"

namespace ssm {
namespace {

using testing::FakeEndpoint;
using testing::FakeEnv;
using testing::Mentions;
using testing::SeenRequest;
using testing::TempHome;
namespace fs = std::filesystem;

CredentialContext Context(const TempHome& home, std::map<std::string, std::string> env,
                          const std::string& profile_flag = "") {
  env.emplace("HOME", home.path());
  Result<CredentialContext> context = MakeCredentialContext(FakeEnv(env), profile_flag, "eu-west-1");
  REQUIRE(context.ok());
  return context.value();
}

TEST_CASE("web identity: environment settings win over the profile's; the call is unsigned", "[credentials][web_identity]") {
  FakeEndpoint sts;
  sts.On("POST", "/", [](const SeenRequest& req, httplib::Response& res) {
    const std::string role = req.body.find("role%2Fenv") != std::string::npos ? "ENV" : "PROFILE";
    res.set_content(testing::StsCredentialsXml("AssumeRoleWithWebIdentity", "ASIAWEB" + role, "s&amp;x", "t",
                                               "2099-01-01T00:00:00.000Z"),
                    "text/xml");
  });
  sts.Start();
  TempHome home;
  const std::string token = home.Write("token", "eyJ.oidc.token");
  home.Write(".aws/config", "[default]\nweb_identity_token_file = " + token + "\nrole_arn = arn:aws:iam::1:role/profile\n");

  WebIdentityProvider from_env(Context(home, {{"AWS_ENDPOINT_URL_STS", sts.url()},
                                              {"AWS_WEB_IDENTITY_TOKEN_FILE", token},
                                              {"AWS_ROLE_ARN", "arn:aws:iam::1:role/env"},
                                              {"AWS_ROLE_SESSION_NAME", "gha"}}),
                               "default", true);
  Result<AwsCredentials> c = from_env.Load();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIAWEBENV");
  CHECK(c->secret_access_key == "s&x");
  const SeenRequest seen = sts.seen().back();
  CHECK(seen.Header("Authorization").empty());
  CHECK(seen.body.find("Action=AssumeRoleWithWebIdentity") != std::string::npos);
  CHECK(seen.body.find("RoleSessionName=gha") != std::string::npos);
  CHECK(seen.body.find("WebIdentityToken=eyJ.oidc.token") != std::string::npos);

  WebIdentityProvider from_profile(Context(home, {{"AWS_ENDPOINT_URL_STS", sts.url()},
                                                  {"AWS_ROLE_ARN", "arn:aws:iam::1:role/env"}}),
                                   "default", false);
  Result<AwsCredentials> p = from_profile.Load();
  REQUIRE(p.ok());
  CHECK(p->access_key_id == "ASIAWEBPROFILE");

  WebIdentityProvider none(Context(home, {}), "other", true);
  CHECK(none.Load().status().IsNotFound());
}

// Writes the token `aws sso login` would cache for `key` (session name or start URL).
void CacheSsoToken(const TempHome& home, const std::string& key, const std::string& expires_at) {
  home.Write(".aws/sso/cache/" + Sha1Hex(key) + ".json",
             "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", "
             "\"accessToken\": \"sso-access-token\", \"expiresAt\": \"" + expires_at + "\"}");
}

TEST_CASE("SSO: sso_session and legacy profiles exchange the cached token", "[credentials][sso]") {
  CHECK(Sha1Hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  FakeEndpoint portal;
  portal.On("GET", "/federation/credentials", [](const SeenRequest& req, httplib::Response& res) {
    if (req.Header("x-amz-sso_bearer_token") != "sso-access-token") {
      res.status = 401;
      return;
    }
    res.set_content("{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": \"s\", "
                    "\"sessionToken\": \"t\", \"expiration\": 4070908800000}}",
                    "application/json");
  });
  portal.Start();
  TempHome home;
  home.Write(".aws/config",
             "[profile new]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\n"
             "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
             "[profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = eu-west-1\n"
             "sso_account_id = 111122223333\nsso_role_name = Admin\n"
             "[profile broken]\nsso_account_id = 1\n");
  const std::map<std::string, std::string> env = {{"AWS_ENDPOINT_URL_SSO", portal.url()}};

  SECTION("no cached token: says to log in") {
    SsoProvider provider(Context(home, env), "new");
    Result<AwsCredentials> c = provider.Load();
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.status(), "run `aws sso login --sso-session corp`"));
  }
  SECTION("a valid token, cached under sha1 of the session name") {
    CacheSsoToken(home, "corp", "2099-01-01T00:00:00Z");
    SsoProvider provider(Context(home, env), "new");
    Result<AwsCredentials> c = provider.Load();
    REQUIRE(c.ok());
    CHECK(c->access_key_id == "ASIASSO");
    CHECK(c->expiration == 4070908800);
    const SeenRequest seen = portal.seen().back();
    CHECK(seen.path == "/federation/credentials");
  }
  SECTION("legacy: cached under sha1 of the start URL; an expired token says to log in") {
    CacheSsoToken(home, "https://old.awsapps.com/start", "2020-01-01T00:00:00Z");
    SsoProvider provider(Context(home, env), "legacy");
    Result<AwsCredentials> c = provider.Load();
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.status(), "expired at 2020-01-01T00:00:00Z"));
    CHECK(Mentions(c.status(), "run `aws sso login --profile legacy`"));
    CHECK_FALSE(Mentions(c.status(), "sso-access-token"));
  }
  SECTION("missing settings are named") {
    SsoProvider provider(Context(home, env), "broken");
    Result<AwsCredentials> c = provider.Load();
    REQUIRE_FALSE(c.ok());
    CHECK(Mentions(c.status(), "lacks sso_start_url, sso_region, sso_role_name"));
  }
}

TEST_CASE("container: full URI with the token file before the token variable", "[credentials][container]") {
  FakeEndpoint ecs;
  ecs.On("GET", "/creds", [](const SeenRequest& req, httplib::Response& res) {
    if (req.Header("Authorization") != "from-file") {
      res.status = 401;
      return;
    }
    res.set_content("{\"AccessKeyId\": \"ASIAECS\", \"SecretAccessKey\": \"s\", \"Token\": \"t\", "
                    "\"Expiration\": \"2099-01-01T00:00:00Z\"}",
                    "application/json");
  });
  ecs.Start();
  TempHome home;
  const std::string token_file = home.Write("token", "from-file");
  ContainerProvider good(Context(home, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
                                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file},
                                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable"}}));
  Result<AwsCredentials> c = good.Load();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIAECS");
  CHECK(c->session_token == "t");

  ContainerProvider refused(Context(home, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url() + "/creds"},
                                           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-variable"}}));
  Result<AwsCredentials> r = refused.Load();
  REQUIRE_FALSE(r.ok());
  CHECK(Mentions(r.status(), "HTTP 401"));

  ContainerProvider remote(Context(home, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}}));
  CHECK(Mentions(remote.Load().status(), "must be https"));

  CredentialContext relative_context = Context(home, {{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/creds"},
                                                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-file"}});
  relative_context.container_host = ecs.url();  // 169.254.170.2 in production
  ContainerProvider relative(relative_context);
  REQUIRE(relative.Load().ok());
}

TEST_CASE("IMDSv2: token, role, credentials; disabled by AWS_EC2_METADATA_DISABLED", "[credentials][imds]") {
  FakeEndpoint imds;
  imds.On("PUT", "/latest/api/token", [](const SeenRequest& req, httplib::Response& res) {
    if (req.Header("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
      res.status = 400;
      return;
    }
    res.set_content("imds-token", "text/plain");
  });
  auto needs_token = [](const SeenRequest& req, httplib::Response& res) {
    if (req.Header("X-aws-ec2-metadata-token") != "imds-token") {
      res.status = 401;
      return false;
    }
    return true;
  };
  imds.On("GET", "/latest/meta-data/iam/security-credentials/", [&](const SeenRequest& req, httplib::Response& res) {
    if (needs_token(req, res)) res.set_content("web-role", "text/plain");
  });
  imds.On("GET", "/latest/meta-data/iam/security-credentials/web-role", [&](const SeenRequest& req, httplib::Response& res) {
    if (needs_token(req, res)) {
      res.set_content("{\"Code\": \"Success\", \"AccessKeyId\": \"ASIAIMDS\", \"SecretAccessKey\": \"s\", "
                      "\"Token\": \"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}",
                      "application/json");
    }
  });
  imds.Start();
  TempHome home;
  ImdsProvider provider(Context(home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url() + "/"}}));
  Result<AwsCredentials> c = provider.Load();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "ASIAIMDS");
  CHECK(Mentions(Status::NotFound(c->source), "role web-role"));
  CHECK(imds.seen().size() == 3);

  ImdsProvider disabled(Context(home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()},
                                       {"AWS_EC2_METADATA_DISABLED", "True"}}));
  CHECK(disabled.Load().status().IsNotFound());
  CHECK(imds.seen().size() == 3);
}

TEST_CASE("an IMDS that accepts connections but never answers costs about a second, then is skipped",
          "[credentials][imds]") {
  // A listening socket nobody accepts on: connects complete (backlog), no answer ever comes.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  REQUIRE(::listen(fd, 8) == 0);
  socklen_t length = sizeof(address);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  TempHome home;
  ImdsProvider provider(Context(
      home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port))}}));
  const auto start = std::chrono::steady_clock::now();
  Result<AwsCredentials> c = provider.Load();
  const auto took = std::chrono::steady_clock::now() - start;
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  ImdsProvider impatient(Context(home, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint},
                                        {"AWS_METADATA_SERVICE_TIMEOUT", "0.2"}}));
  const auto impatient_start = std::chrono::steady_clock::now();
  Result<AwsCredentials> quick = impatient.Load();
  const auto impatient_took = std::chrono::steady_clock::now() - impatient_start;
  ::close(fd);
  CHECK(took < std::chrono::seconds(2));
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().IsNotFound());
  CHECK(Mentions(c.status(), "no answer within 1"));
  CHECK(impatient_took < std::chrono::milliseconds(900));
  CHECK(quick.status().IsNotFound());
}

TEST_CASE("credential_process: JSON output read, a failure reports exit status and stderr", "[credentials][process]") {
  TempHome home;
  const std::string good = home.Write("good.sh",
      "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIA'\"$1\"'\", \"SecretAccessKey\": \"s\", "
      "\"SessionToken\": \"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
  const std::string bad = home.Write("bad.sh", "#!/bin/sh\necho 'token expired, run login' >&2\nexit 3\n");
  const std::string old = home.Write("old.sh", "#!/bin/sh\necho '{\"Version\": 2}'\n");
  for (const std::string& script : {good, bad, old}) fs::permissions(script, fs::perms::owner_all);
  home.Write(".aws/config", "[profile good]\ncredential_process = " + good + " \"WITH ARG\"\n"
                            "[profile bad]\ncredential_process = " + bad + "\n"
                            "[profile old]\ncredential_process = " + old + "\n");
  ProcessProvider ok(Context(home, {}), "good");
  Result<AwsCredentials> c = ok.Load();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIAWITH ARG");
  CHECK(c->expiration == ParseIso8601("2099-01-01T00:00:00Z"));

  Result<AwsCredentials> failed = ProcessProvider(Context(home, {}), "bad").Load();
  REQUIRE_FALSE(failed.ok());
  CHECK(Mentions(failed.status(), "exited with status 3; its stderr: token expired, run login"));
  CHECK(Mentions(ProcessProvider(Context(home, {}), "old").Load().status(), "\"Version\": 1"));

  Result<std::vector<std::string>> words = SplitCommandLine("a 'b c' \"d\\\"e\" f\\ g");
  REQUIRE(words.ok());
  CHECK(words.value() == std::vector<std::string>{"a", "b c", "d\"e", "f g"});
}

TEST_CASE("ISO 8601 times as STS, SSO caches and IMDS write them", "[credentials]") {
  CHECK(ParseIso8601("2026-12-06T18:00:00Z") == 1796580000);
  CHECK(ParseIso8601("2026-12-06T18:00:00.123Z") == 1796580000);
  CHECK(ParseIso8601("2026-12-06T19:00:00+01:00") == 1796580000);
  CHECK(ParseIso8601("yesterday") == -1);
  CHECK(FormatIso8601(1796580000) == "2026-12-06T18:00:00Z");
}

}  // namespace
}  // namespace ssm
