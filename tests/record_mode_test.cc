#include "proxy/modes/record_mode.h"

#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "mode_fakes.h"

namespace ssm {
namespace {

using testing::Answer;
using testing::AwsErrorAnswer;
using testing::FakeRecorder;
using testing::FakeUpstream;
using testing::Invocation;

constexpr char kCmd[] = "0b5b2f3c-1111-2222-3333-444455556666";
constexpr char kInstance[] = "i-0123456789abcdef0";

Redactor MakeRedactor() {
  auto r = Redactor::Create({{"operator-secret-value"}, {}});
  REQUIRE(r.ok());
  return std::move(r).value();
}

TEST_CASE("record mode forwards, records (redacted) and answers upstream's bytes", "[record_mode]") {
  FakeUpstream up;
  std::string body = "{\"Status\":\"Success\",\"StandardOutputContent\":\"key AKIAIOSFODNN7EXAMPLE\"}";
  up.script = {Answer(200, body)};
  FakeRecorder rec;
  Redactor red = MakeRedactor();
  RecordMode mode(&up, &rec, &red, [] { return int64_t{1764403260000}; });

  SsmRequest req = Invocation(kCmd, kInstance);
  ModeAnswer a = mode.Handle(req);
  CHECK(a.outcome == Outcome::kRecorded);
  CHECK(a.response.status == 200);
  CHECK(a.response.body == body);  // the client gets exactly what upstream said
  for (const auto& h : a.response.headers) CHECK(h.first != "Date");

  REQUIRE(rec.records.size() == 1);
  const auto& [key, in] = rec.records[0];
  CHECK(key == req.key);
  CHECK(in.action == "GetCommandInvocation");
  CHECK(in.request_body == req.canonical_body);
  CHECK(in.status == 200);
  CHECK(in.response_body == "{\"Status\":\"Success\",\"StandardOutputContent\":\"key [REDACTED]\"}");
  CHECK(in.recorded_at_ms == 1764403260000);
  CHECK(in.upstream_latency_us == 1234);
  CHECK(in.source == "record http://upstream.test:5000");
  CHECK(in.headers == HeaderList{{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "req-1"}});
}

TEST_CASE("record mode records AWS errors: they are what replay must reproduce", "[record_mode]") {
  FakeRecorder rec;
  Redactor red = MakeRedactor();
  for (auto answer : {AwsErrorAnswer(400, "InvocationDoesNotExist", ""),
                      AwsErrorAnswer(400, "ThrottlingException", "Rate exceeded"),
                      AwsErrorAnswer(400, "ValidationException", "1 validation error detected"),
                      AwsErrorAnswer(500, "InternalServerError", "oops"), Answer(503, "")}) {
    FakeUpstream up;
    up.script = {answer};
    RecordMode mode(&up, &rec, &red);
    ModeAnswer a = mode.Handle(Invocation(kCmd, kInstance));
    CHECK(a.outcome == Outcome::kRecorded);
    CHECK(a.response.status == answer.status);
    CHECK(a.response.body == answer.body);
  }
  CHECK(rec.records.size() == 5);
  CHECK(rec.records[1].second.response_body.find("ThrottlingException") != std::string::npos);
}

TEST_CASE("record mode passes authentication failures on but never records them", "[record_mode]") {
  Redactor red = MakeRedactor();
  for (auto answer : {AwsErrorAnswer(403, "UnrecognizedClientException", "The security token is invalid"),
                      AwsErrorAnswer(400, "InvalidSignatureException",
                                     "canonical request had x-amz-security-token:operator-secret-value"),
                      AwsErrorAnswer(403, "ExpiredTokenException", "expired"),
                      Answer(403, "", {{"x-amzn-ErrorType", "com.amazon.coral.service#IncompleteSignatureException"}})}) {
    FakeUpstream up;
    up.script = {answer};
    FakeRecorder rec;
    RecordMode mode(&up, &rec, &red);
    ModeAnswer a = mode.Handle(Invocation(kCmd, kInstance));
    CHECK(rec.records.empty());
    CHECK(a.outcome == Outcome::kError);
    CHECK(a.response.status == answer.status);
    CHECK(a.response.body.find("operator-secret-value") == std::string::npos);
    if (answer.body.find("__type") != std::string::npos) {
      CHECK(a.response.body.find(AwsErrorType(answer)) != std::string::npos);
    }
  }
}

TEST_CASE("record mode answers transport failures with upstream's 502/504 and records nothing",
          "[record_mode]") {
  FakeUpstream up;
  up.failure = AwsError{504, kUpstreamTimeout, "no answer from upstream http://upstream.test:5000 within 1 s"};
  FakeRecorder rec;
  Redactor red = MakeRedactor();
  RecordMode mode(&up, &rec, &red);
  ModeAnswer a = mode.Handle(Invocation(kCmd, kInstance));
  CHECK(a.outcome == Outcome::kError);
  CHECK(a.response.status == 504);
  CHECK(a.response.body.find(kUpstreamTimeout) != std::string::npos);
  CHECK(a.response.body.find("upstream.test") != std::string::npos);
  CHECK(rec.records.empty());
}

TEST_CASE("record mode withholds upstream's answer when it cannot be recorded", "[record_mode]") {
  FakeUpstream up;
  up.script = {Answer(200, "{\"Status\":\"Success\"}")};
  FakeRecorder rec;
  rec.fail = Status::IOError("store is read-only");
  Redactor red = MakeRedactor();
  RecordMode mode(&up, &rec, &red);
  ModeAnswer a = mode.Handle(Invocation(kCmd, kInstance));
  CHECK(a.outcome == Outcome::kError);
  CHECK(a.response.status == 503);
  CHECK(a.response.body.find("RecordFailedException") != std::string::npos);
  CHECK(a.response.body.find("read-only") != std::string::npos);
  CHECK(a.response.body.find("Success") == std::string::npos);
}

TEST_CASE("record mode answers only once the interaction is committed", "[record_mode]") {
  FakeUpstream up;
  up.script = {Answer(200, "{\"Status\":\"Pending\"}")};
  FakeRecorder rec;
  rec.hold = true;
  Redactor red = MakeRedactor();
  RecordMode mode(&up, &rec, &red);
  SsmRequest req = Invocation(kCmd, kInstance);
  auto answered = std::async(std::launch::async, [&] { return mode.Handle(req); });
  rec.WaitEntered();
  CHECK(answered.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  rec.Release();
  ModeAnswer a = answered.get();
  CHECK(a.outcome == Outcome::kRecorded);
  CHECK(rec.records.size() == 1);
}

TEST_CASE("record mode gives the client the encoding it asked for and stores the body decoded",
          "[record_mode]") {
  UpstreamResponse gz = Answer(200, "{\"Status\":\"Success\"}");
  gz.content_encoding = "gzip";
  gz.encoded_body = std::string("\x1f\x8b fake gzip bytes", 18);
  FakeUpstream up;
  up.script = {gz};
  FakeRecorder rec;
  Redactor red = MakeRedactor();
  RecordMode mode(&up, &rec, &red);

  ModeAnswer plain = mode.Handle(Invocation(kCmd, kInstance));
  CHECK(plain.response.body == "{\"Status\":\"Success\"}");
  for (const auto& h : plain.response.headers) CHECK(h.first != "Content-Encoding");

  SsmRequest wants_gzip = testing::Request(
      "GetCommandInvocation", std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + kInstance + "\"}",
      {{"Accept-Encoding", "gzip, deflate"}});
  ModeAnswer zipped = mode.Handle(wants_gzip);
  CHECK(zipped.response.body == gz.encoded_body);
  CHECK(std::count(zipped.response.headers.begin(), zipped.response.headers.end(),
                   std::make_pair(std::string("Content-Encoding"), std::string("gzip"))) == 1);

  REQUIRE(rec.records.size() == 2);
  CHECK(rec.records[1].second.response_body == "{\"Status\":\"Success\"}");
}

}  // namespace
}  // namespace ssm

namespace ssm {
namespace {

TEST_CASE("record mode keys an action tape on the redacted request when the request held a secret",
          "[record_mode]") {
  FakeUpstream up;
  up.script = {Answer(200, "{\"Command\":{\"CommandId\":\"c\"}}")};
  FakeRecorder rec;
  auto red = Redactor::Create({{}, {"MARKER-[0-9]+"}});
  REQUIRE(red.ok());
  RecordMode mode(&up, &rec, &red.value());

  SsmRequest secret = testing::Request(
      "SendCommand", "{\"Parameters\":{\"commands\":[\"echo MARKER-42\"]},\"DocumentName\":\"AWS-RunShellScript\"}");
  ModeAnswer a = mode.Handle(secret);
  CHECK(a.outcome == Outcome::kRecorded);
  CHECK(up.forwarded.back().find("MARKER-42") != std::string::npos);  // upstream gets the real request
  REQUIRE(rec.records.size() == 1);
  const auto& [key, in] = rec.records[0];
  CHECK(key != secret.key);
  CHECK(key.canonical_body().find("MARKER-42") == std::string::npos);
  CHECK(key.canonical_body() == in.request_body);
  CHECK(in.request_body ==
        "{\"DocumentName\":\"AWS-RunShellScript\",\"Parameters\":{\"commands\":[\"echo [REDACTED]\"]}}");

  // A request without secrets keeps its own key.
  SsmRequest plain = testing::Request("SendCommand", "{\"DocumentName\":\"AWS-RunShellScript\"}");
  mode.Handle(plain);
  REQUIRE(rec.records.size() == 2);
  CHECK(rec.records[1].first == plain.key);
}

}  // namespace
}  // namespace ssm
