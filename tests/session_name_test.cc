#include "proxy/ssm/session_name.h"

#include <string>

#include <catch2/catch.hpp>

#include "proxy/ssm/request_parser.h"

namespace ssm {
namespace {

constexpr char kTarget[] = "AmazonSSM.GetCommandInvocation";
constexpr char kBody[] = R"({"CommandId":"c-1","InstanceId":"i-1"})";

ParsedRequest Parse(const std::string& path, HeaderList headers, bool from_access_key = false) {
  headers.emplace_back("X-Amz-Target", kTarget);
  return ParseSsmRequest("POST", path, std::move(headers), kBody, kDefaultMaxBody, from_access_key);
}

TEST_CASE("session names: 1 to 128 of A-Za-z0-9._:-", "[session]") {
  CHECK(IsValidSessionName("a"));
  CHECK_FALSE(IsValidSessionName("tests/test_x.py::test_y"));
  CHECK(IsValidSessionName("run-1.2_x:test_y"));
  CHECK(IsValidSessionName(std::string(128, 'x')));
  CHECK_FALSE(IsValidSessionName(std::string(129, 'x')));
  CHECK_FALSE(IsValidSessionName(""));
  CHECK_FALSE(IsValidSessionName("a b"));
  CHECK_FALSE(IsValidSessionName("caf\xc3\xa9"));
  CHECK_FALSE(IsValidSessionName(std::string("a\0b", 3)));
  std::optional<AwsError> error = CheckSessionName("a b");
  REQUIRE(error);
  CHECK(error->http_status == 400);
  CHECK(error->type == "ValidationException");
  CHECK(error->message.find("1 to 128 characters of A-Z, a-z, 0-9") != std::string::npos);
}

TEST_CASE("the session of a path: /session/NAME and /session/NAME/", "[session]") {
  CHECK(SessionOfPath("/session/t1") == std::optional<std::string_view>("t1"));
  CHECK(SessionOfPath("/session/t1/") == std::optional<std::string_view>("t1"));
  CHECK(SessionOfPath("/session/") == std::optional<std::string_view>(""));
  CHECK_FALSE(SessionOfPath("/"));
  CHECK_FALSE(SessionOfPath("/sessions/t1"));
  CHECK(SessionOfPath("/session/a/b") == std::optional<std::string_view>("a/b"));  // refused as a name
}

TEST_CASE("the access key id of a SigV4 Authorization", "[session]") {
  CHECK(AccessKeyOfAuthorization("AWS4-HMAC-SHA256 Credential=test-17/20261206/us-east-1/ssm/aws4_request, "
                                 "SignedHeaders=host, Signature=abc") == std::optional<std::string_view>("test-17"));
  CHECK_FALSE(AccessKeyOfAuthorization("Bearer token"));
  CHECK_FALSE(AccessKeyOfAuthorization("AWS4-HMAC-SHA256 Credential=/x"));
}

TEST_CASE("a request's session: header, then path, then access key, else default", "[session]") {
  const std::string auth = "AWS4-HMAC-SHA256 Credential=key-9/20261206/us-east-1/ssm/aws4_request, Signature=x";
  CHECK(Parse("/", {}).request->session.empty());
  CHECK(Parse("/session/p1", {}).request->session == "p1");
  CHECK(Parse("/session/p1/", {}).request->session == "p1");
  CHECK(Parse("/session/p1", {{"x-ssm-replay-session", "h1"}}).request->session == "h1");
  CHECK(Parse("/", {{"Authorization", auth}}).request->session.empty());
  CHECK(Parse("/", {{"Authorization", auth}}, true).request->session == "key-9");
  CHECK(Parse("/session/p1", {{"Authorization", auth}}, true).request->session == "p1");
  CHECK(Parse("/", {{kSessionHeader, "default"}}).request->session.empty());
  // The key is the same whatever the session.
  CHECK(Parse("/session/p1", {}).request->key == Parse("/", {}).request->key);
}

TEST_CASE("a bad session name is a 400 ValidationException saying where it came from", "[session]") {
  for (const auto& [path, header] : std::vector<std::pair<std::string, std::string>>{
           {"/session/", ""}, {"/session/a%20b", ""}, {"/session/a/b", ""}, {"/", "a b"}, {"/", ""},
           {"/session/" + std::string(129, 'x'), ""}}) {
    HeaderList headers;
    if (!header.empty() || path == "/") headers.emplace_back(kSessionHeader, header);
    ParsedRequest parsed = Parse(path, headers);
    INFO(path << " " << header);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error->http_status == 400);
    CHECK(parsed.error->type == "ValidationException");
    CHECK(parsed.error->message.find("session") != std::string::npos);
    CHECK(parsed.action == "GetCommandInvocation");
  }
  // Other paths stay 404s; other methods on a session path 405s.
  CHECK(Parse("/sessions/x", {}).error->http_status == 404);
  CHECK(ParseSsmRequest("GET", "/session/x", {{"X-Amz-Target", kTarget}}, "").error->http_status == 405);
}

}  // namespace
}  // namespace ssm
