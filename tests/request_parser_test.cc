#include "proxy/ssm/request_parser.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
constexpr char kInstance[] = "i-08b0130f3ddd5f444";

HeaderList Headers(const std::string& target, HeaderList extra = {}) {
  HeaderList h = {{"Content-Type", "application/x-amz-json-1.1"}};
  if (!target.empty()) h.emplace_back("X-Amz-Target", target);
  for (auto& e : extra) h.push_back(e);
  return h;
}

ParsedRequest Parse(const std::string& body, const std::string& action = "GetCommandInvocation",
                    HeaderList extra = {}) {
  return ParseSsmRequest("POST", "/", Headers("AmazonSSM." + action, std::move(extra)), body);
}

TEST_CASE("GetCommandInvocation keys on CommandId, InstanceId and PluginName", "[parser]") {
  ParsedRequest p =
      Parse(std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance + "\"}");
  REQUIRE(p.ok());
  CHECK(p.action == "GetCommandInvocation");
  CHECK(p.request->action == "GetCommandInvocation");
  const TapeKey& k = p.request->key;
  CHECK(k.is_invocation());
  CHECK(k.command_id() == kCmd);
  CHECK(k.instance_id() == kInstance);
  CHECK_FALSE(k.plugin_name().has_value());
  CHECK(k == TapeKey::ForInvocation(kCmd, kInstance, std::nullopt).value());
}

TEST_CASE("absent, null, empty and named PluginName", "[parser]") {
  std::string base = std::string("\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance + "\"";
  TapeKey absent = Parse("{" + base + "}").request->key;
  TapeKey null = Parse("{" + base + ",\"PluginName\":null}").request->key;
  TapeKey empty = Parse("{" + base + ",\"PluginName\":\"\"}").request->key;
  TapeKey named = Parse("{" + base + ",\"PluginName\":\"PatchLinux\"}").request->key;
  CHECK(absent == null);
  CHECK(absent != empty);
  CHECK(absent != named);
  CHECK(empty != named);
  CHECK(named.plugin_name() == std::optional<std::string>("PatchLinux"));
}

TEST_CASE("field order, spacing and signing headers don't change the key", "[parser]") {
  ParsedRequest a =
      Parse(std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance + "\"}");
  ParsedRequest b =
      Parse(std::string("{ \"InstanceId\" : \"") + kInstance + "\",\n \"CommandId\": \"" + kCmd + "\" }",
            "GetCommandInvocation",
            {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/..."},
             {"X-Amz-Date", "20261129T082100Z"},
             {"X-Amz-Security-Token", "tok"},
             {"User-Agent", "aws-cli/1.x"},
             {"amz-sdk-invocation-id", "abc"},
             {"amz-sdk-request", "attempt=2"}});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.request->key == b.request->key);
  CHECK(a.request->canonical_body == b.request->canonical_body);
}

TEST_CASE("other actions key on action and canonical body", "[parser]") {
  ParsedRequest a =
      Parse("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"i-1\"]}", "SendCommand");
  ParsedRequest b =
      Parse("{\"InstanceIds\":[\"i-1\"], \"DocumentName\":\"AWS-RunShellScript\"}", "SendCommand");
  ParsedRequest c =
      Parse("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"i-2\"]}", "SendCommand");
  ParsedRequest d =
      Parse("{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"i-1\"]}", "ListCommands");
  REQUIRE(a.ok());
  CHECK_FALSE(a.request->key.is_invocation());
  CHECK(a.request->key.action() == "SendCommand");
  CHECK(a.request->key == b.request->key);
  CHECK(a.request->key != c.request->key);
  CHECK(a.request->key != d.request->key);
}

TEST_CASE("empty body is {}", "[parser]") {
  ParsedRequest p = Parse("", "ListCommands");
  REQUIRE(p.ok());
  CHECK(p.request->json().is_object());
  CHECK(p.request->key == Parse("{}", "ListCommands").request->key);
}

TEST_CASE("malformed JSON is a SerializationException", "[parser]") {
  for (const char* body : {"{\"CommandId\":", "not json", "[1,2]", "\"s\"", "{\"a\":1}}"}) {
    ParsedRequest p = Parse(body);
    INFO(body);
    REQUIRE_FALSE(p.ok());
    CHECK(p.error->http_status == 400);
    CHECK(p.error->type == "SerializationException");
    CHECK(p.action == "GetCommandInvocation");
  }
}

TEST_CASE("key fields of the wrong type are a SerializationException", "[parser]") {
  ParsedRequest p = Parse("{\"CommandId\":5,\"InstanceId\":\"i-08b0130f3ddd5f444\"}");
  REQUIRE_FALSE(p.ok());
  CHECK(p.error->type == "SerializationException");
  CHECK(p.error->message.find("CommandId") != std::string::npos);
}

TEST_CASE("missing ids still parse (validation names them on a miss)", "[parser]") {
  ParsedRequest p = Parse("{\"InstanceId\":\"i-08b0130f3ddd5f444\"}");
  REQUIRE(p.ok());
  CHECK(p.request->key.command_id().empty());
}

TEST_CASE("missing or unknown X-Amz-Target is UnknownOperationException", "[parser]") {
  ParsedRequest missing = ParseSsmRequest("POST", "/", Headers(""), "{}");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error->http_status == 400);
  CHECK(missing.error->type == "UnknownOperationException");
  CHECK(missing.error->message.find("X-Amz-Target") != std::string::npos);
  for (const char* target : {"AmazonSSM.NoSuchThing", "AmazonEC2.DescribeInstances", "GetCommandInvocation",
                             "AmazonSSM.", "amazonssm.GetCommandInvocation"}) {
    INFO(target);
    ParsedRequest p = ParseSsmRequest("POST", "/", Headers(target), "{}");
    REQUIRE_FALSE(p.ok());
    CHECK(p.error->type == "UnknownOperationException");
    CHECK(p.action.empty());
  }
}

TEST_CASE("target header name is case-insensitive", "[parser]") {
  ParsedRequest p = ParseSsmRequest("POST", "/", {{"x-amz-target", "AmazonSSM.ListCommands"}}, "{}");
  REQUIRE(p.ok());
  CHECK(p.action == "ListCommands");
}

TEST_CASE("other paths 404, other methods 405, big bodies 413", "[parser]") {
  ParsedRequest path = ParseSsmRequest("POST", "/foo", Headers("AmazonSSM.ListCommands"), "{}");
  REQUIRE_FALSE(path.ok());
  CHECK(path.error->http_status == 404);
  CHECK(path.error->type == "NotFoundException");
  ParsedRequest method = ParseSsmRequest("GET", "/", Headers("AmazonSSM.ListCommands"), "");
  REQUIRE_FALSE(method.ok());
  CHECK(method.error->http_status == 405);
  ParsedRequest big =
      ParseSsmRequest("POST", "/", Headers("AmazonSSM.ListCommands"), std::string(101, ' '), 100);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error->http_status == 413);
  CHECK(ParseSsmRequest("POST", "/", Headers("AmazonSSM.ListCommands"), std::string(100, ' '), 100).ok());
}

TEST_CASE("NUL in a key field is refused, not truncated", "[parser]") {
  std::string body = std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"i-1\\u0000x\"}";
  ParsedRequest p = Parse(body);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error->http_status == 400);
}

TEST_CASE("error responses are AWS JSON 1.1 shaped", "[parser]") {
  HttpResponse r = AwsError{400, "SerializationException", "bad \"json\""}.ToResponse();
  CHECK(r.status == 400);
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["__type"] == "SerializationException");
  CHECK(body["message"] == "bad \"json\"");
  CHECK(*FindHeader(r.headers, "content-type") == "application/x-amz-json-1.1");
  const std::string* id = FindHeader(r.headers, "x-amzn-RequestId");
  REQUIRE(id != nullptr);
  CHECK(id->size() == 36);
  CHECK(*id != *FindHeader(AwsError{}.ToResponse().headers, "x-amzn-RequestId"));
}

TEST_CASE("plain bodies (fast path) and escaped or spaced ones (full parser) give the same call", "[parser]") {
  // The first of each pair takes proxy/flat_json_object's fast path; the second, written with escapes,
  // other member order and a null, goes through the DOM.
  std::string fast = std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance +
                     "\",\"PluginName\":\"aws:runShellScript\"}";
  std::string slow = std::string("{ \"PluginName\" : \"aws\\u003arunShellScript\", \"InstanceId\":\"") + kInstance +
                     "\",\n \"CommandId\":\"" + kCmd + "\", \"Extra\": null}";
  ParsedRequest a = Parse(fast), b = Parse(slow);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.request->key == b.request->key);
  CHECK(a.request->key.plugin_name() == std::optional<std::string>("aws:runShellScript"));
  CHECK(a.request->json() == nlohmann::json::parse(fast));

  std::string list_fast = R"({"CommandId":"c","InstanceId":"i-1"})";
  std::string list_slow = R"({"InstanceId":"i-1","CommandId":"\u0063"})";
  ParsedRequest c = Parse(list_fast, "ListCommandInvocations"), d = Parse(list_slow, "ListCommandInvocations");
  REQUIRE(c.ok());
  REQUIRE(d.ok());
  CHECK(c.request->canonical_body == list_fast);
  CHECK(c.request->canonical_body == d.request->canonical_body);
  CHECK(c.request->key == d.request->key);
}

TEST_CASE("the headers ParserReadsHeader picks parse a call as all its headers do", "[parser]") {
  // A replay server hands its mode only these headers: the call, its session and its errors must not
  // change for it.
  const std::string body = std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance + "\"}";
  const std::string authorization = "AWS4-HMAC-SHA256 Credential=AKIASESSIONKEY000000/20261129/us-east-1/ssm/aws4_request";
  struct Call {
    std::string path;
    HeaderList headers;
  };
  const std::vector<Call> calls = {
      {"/", Headers("AmazonSSM.GetCommandInvocation", {{"User-Agent", "aws-cli/1.36.0"}, {"X-Amz-Date", "x"}})},
      {"/", Headers("AmazonSSM.GetCommandInvocation", {{"x-ssm-replay-session", "suite-7"}})},
      {"/", Headers("AmazonSSM.GetCommandInvocation", {{"X-Ssm-Replay-Session", "bad name!"}})},
      {"/", Headers("AmazonSSM.GetCommandInvocation", {{"Authorization", authorization}})},
      {"/session/run-1", Headers("AmazonSSM.GetCommandInvocation", {{"Authorization", authorization}})},
      {"/", Headers("AmazonSSM.NoSuchAction")},
      {"/", Headers("")},
  };
  int compared = 0;
  for (bool from_access_key : {false, true}) {
    for (const Call& call : calls) {
      HeaderList picked;
      for (const auto& [name, value] : call.headers) {
        if (ParserReadsHeader(name, from_access_key)) picked.emplace_back(name, value);
      }
      CHECK(picked.size() < call.headers.size());  // Content-Type at least is left out
      ParsedRequest all = ParseSsmRequest("POST", call.path, call.headers, body, kDefaultMaxBody, from_access_key);
      ParsedRequest few = ParseSsmRequest("POST", call.path, picked, body, kDefaultMaxBody, from_access_key);
      REQUIRE(all.ok() == few.ok());
      CHECK(all.action == few.action);
      if (all.ok()) {
        CHECK(all.request->key == few.request->key);
        CHECK(all.request->session == few.request->session);
      } else {
        CHECK(all.error->ToResponse().body == few.error->ToResponse().body);
      }
      ++compared;
    }
  }
  CHECK(compared == 14);
  CHECK(ParseSsmRequest("POST", "/", Headers("AmazonSSM.GetCommandInvocation", {{"Authorization", authorization}}),
                        body, kDefaultMaxBody, true)
            .request->session == "AKIASESSIONKEY000000");
}

}  // namespace
}  // namespace ssm
