#include "proxy/record/redactor.h"

#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace ssm {
namespace {

Redactor Make(RedactorOptions options = {}) {
  auto r = Redactor::Create(options);
  REQUIRE(r.ok());
  return std::move(r).value();
}

TEST_CASE("redactor removes access key ids but leaves look-alikes", "[redactor]") {
  Redactor r = Make();
  CHECK(r.RedactText("key AKIAIOSFODNN7EXAMPLE end") == "key [REDACTED] end");
  CHECK(r.RedactText("ASIAY34FZKBOKMUTVV7A") == "[REDACTED]");
  // Too short, lower case, or part of a longer word: not an access key id.
  CHECK(r.RedactText("AKIAIOSFODNN7EXAMPL") == "AKIAIOSFODNN7EXAMPL");
  CHECK(r.RedactText("akiaiosfodnn7example") == "akiaiosfodnn7example");
  CHECK(r.RedactText("XAKIAIOSFODNN7EXAMPLE") == "XAKIAIOSFODNN7EXAMPLE");
}

TEST_CASE("redactor removes presigned URL credentials and signatures", "[redactor]") {
  Redactor r = Make();
  std::string url =
      "https://b.s3.amazonaws.com/o/stdout?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261129T082100Z"
      "&X-Amz-SignedHeaders=host&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2Ftoken"
      "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261129%2Fus-east-1%2Fs3%2Faws4_request"
      "&X-Amz-Signature=3c3f1c6a0b2e9bd28f5e7d0e5a0e8b5d4f0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b";
  std::string out = r.RedactText(url);
  CHECK(out ==
        "https://b.s3.amazonaws.com/o/stdout?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261129T082100Z"
        "&X-Amz-SignedHeaders=host&X-Amz-Security-Token=[REDACTED]"
        "&X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]");
  CHECK(r.RedactText("x-amz-signature=abc") == "x-amz-signature=[REDACTED]");
}

TEST_CASE("redactor removes the operator's exact secrets, longest first", "[redactor]") {
  Redactor r = Make({{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "tok", "tok+more", ""}, {}});
  CHECK(r.RedactText("a wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY b") == "a [REDACTED] b");
  CHECK(r.RedactText("tok+more tok") == "[REDACTED] [REDACTED]");
  CHECK(r.RedactText("nothing here") == "nothing here");
}

TEST_CASE("redactor removes secrets learned after it was made (refreshed credentials)", "[redactor]") {
  Redactor r = Make({{"first-secret-value"}, {}});
  CHECK(r.RedactText("token second-token-value") == "token second-token-value");
  r.known_secrets()->Learn({"second-secret-value", "second-token-value", ""});
  CHECK(r.RedactText("token second-token-value") == "token [REDACTED]");
  CHECK(r.RedactBody("{\"A\":\"first-secret-value\",\"B\":\"second-secret-value\"}") ==
        "{\"A\":\"[REDACTED]\",\"B\":\"[REDACTED]\"}");
  // Only the last KnownSecrets::kRememberedSets sets are kept: the first has expired long before.
  for (size_t i = 0; i < KnownSecrets::kRememberedSets; ++i) r.known_secrets()->Learn({"set-" + std::to_string(i)});
  CHECK(r.RedactText("first-secret-value") == "first-secret-value");
  CHECK(r.RedactText("set-0 set-7") == "[REDACTED] [REDACTED]");
  // The newest set again does not push an older one out.
  r.known_secrets()->Learn({"set-7"});
  CHECK(r.RedactText("set-0") == "[REDACTED]");
}

TEST_CASE("redactor applies --redact patterns and rejects bad ones", "[redactor]") {
  Redactor r = Make({{}, {"MARKER-[0-9]+", "pass(word)?=\\S+"}});
  CHECK(r.RedactText("out MARKER-1234 and password=hunter2 x") == "out [REDACTED] and [REDACTED] x");

  auto bad = Redactor::Create({{}, {"ok-[0-9]+", "([unclosed"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message().find("'([unclosed'") != std::string::npos);
  CHECK(bad.status().message().find("missing ]") != std::string::npos);  // RE2's own reason

  // RE2 has no back-references or look-around: such ECMAScript patterns are refused, not misread.
  auto backref = Redactor::Create({{}, {"(a)\\1"}});
  REQUIRE_FALSE(backref.ok());
  CHECK(backref.status().message().find("invalid escape sequence") != std::string::npos);
  CHECK_FALSE(Redactor::Create({{}, {"pw(?=x)"}}).ok());

  auto empty = Redactor::Create({{}, {"x*"}});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().message().find("empty string") != std::string::npos);
}

TEST_CASE("redactor keeps JSON valid and untouched bytes identical", "[redactor]") {
  Redactor r = Make({{}, {"SECRET-[a-z]+"}});
  // Odd spacing, member order and number spelling survive; only the string holding a secret changes.
  std::string body =
      "{\"Status\": \"Success\",  \"StandardOutputContent\":\"line1\\nSECRET-abc \\\"q\\\" \\u00e9\","
      " \"N\": 1.50e3, \"Z\":[\"AKIAIOSFODNN7EXAMPLE\", \"ok\"]}";
  std::string out = r.RedactBody(body);
  CHECK(out ==
        "{\"Status\": \"Success\",  \"StandardOutputContent\":\"line1\\n[REDACTED] \\\"q\\\" \xc3\xa9\","
        " \"N\": 1.50e3, \"Z\":[\"[REDACTED]\", \"ok\"]}");
  REQUIRE(nlohmann::json::accept(out));
  auto j = nlohmann::ordered_json::parse(out);
  CHECK(j.begin().key() == "Status");
  CHECK(j["StandardOutputContent"] == "line1\n[REDACTED] \"q\" \xc3\xa9");

  // Nothing to redact: the very same bytes.
  std::string clean = "{ \"a\" : \"b\\u0041\" , \"n\": 1.0 }";
  CHECK(r.RedactBody(clean) == clean);
}

TEST_CASE("redactor redacts a secret hidden behind JSON escapes", "[redactor]") {
  Redactor r = Make();
  // \u0041 is 'A': the decoded string is an access key id.
  std::string out = r.RedactBody("{\"k\":\"\\u0041KIAIOSFODNN7EXAMPLE\"}");
  CHECK(out == "{\"k\":\"[REDACTED]\"}");
}

TEST_CASE("redactor treats a non-JSON body as bytes", "[redactor]") {
  Redactor r = Make();
  CHECK(r.RedactBody("<Error>AKIAIOSFODNN7EXAMPLE</Error>") == "<Error>[REDACTED]</Error>");
  CHECK(r.RedactBody("") == "");
}

TEST_CASE("redactor redacts request, response and header values of an interaction", "[redactor]") {
  Redactor r = Make({{"opsecret"}, {}});
  Interaction in;
  in.request_body = "{\"Parameters\":{\"commands\":[\"echo opsecret\"]}}";
  in.response_body = "{\"Out\":\"AKIAIOSFODNN7EXAMPLE\"}";
  in.headers = {{"x-note", "opsecret"}, {"Content-Type", "application/x-amz-json-1.1"}};
  r.RedactInteraction(&in);
  CHECK(in.request_body == "{\"Parameters\":{\"commands\":[\"echo [REDACTED]\"]}}");
  CHECK(in.response_body == "{\"Out\":\"[REDACTED]\"}");
  CHECK(in.headers[0].second == "[REDACTED]");
  CHECK(in.headers[1].second == "application/x-amz-json-1.1");
}

TEST_CASE("redactor matches a pattern spanning a long body on an ordinary thread", "[redactor]") {
  // A 300,000-character match: RE2 neither recurses per character nor needs a bigger stack.
  Redactor r = Make({{}, {"BEGIN.*END"}});
  std::string body = "{\"StandardOutputContent\":\"X-Amz-Signature=" + std::string(100000, 'a') +
                     " AKIAIOSFODNN7EXAMPLE BEGIN" + std::string(200000, 'z') + "END tail\"}";
  std::string out;
  std::thread t([&] { out = r.RedactBody(body); });  // an ordinary thread, as the server's are
  t.join();
  CHECK(out == "{\"StandardOutputContent\":\"X-Amz-Signature=[REDACTED] [REDACTED] [REDACTED] tail\"}");
}

TEST_CASE("redactor runs a catastrophic-backtracking pattern in linear time", "[redactor]") {
  // (a+)+b takes a backtracking engine 2^n steps on n a's without a b; RE2 reads the input once. The
  // result is the assertion: a backtracking engine would not return within the test's timeout.
  Redactor r = Make({{}, {"(a+)+b"}});
  std::string many_a(100000, 'a');
  CHECK(r.RedactText(many_a + "c") == many_a + "c");
  CHECK(r.RedactText("x" + many_a + "b y") == "x[REDACTED] y");
  CHECK(r.RedactBody("{\"o\":\"" + many_a + "!\"}") == "{\"o\":\"" + many_a + "!\"}");
}

TEST_CASE("redactor re-encodes a redacted JSON string with the escapes it needs", "[redactor]") {
  Redactor r = Make({{}, {"tok-[0-9]+"}});
  CHECK(r.RedactBody("{\"a\":\"tok-1 \\u0001 \\\" \\\\ \\n \\t\"}") ==
        "{\"a\":\"[REDACTED] \\u0001 \\\" \\\\ \\n \\t\"}");
  // Not JSON (invalid UTF-8 is not): redacted as bytes, the rest kept as received.
  CHECK(r.RedactBody("tok-7 \xff") == "[REDACTED] \xff");
}

}  // namespace
}  // namespace ssm
