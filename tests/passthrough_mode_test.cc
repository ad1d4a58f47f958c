#include "proxy/modes/passthrough_mode.h"

#include <catch2/catch.hpp>

#include "mode_fakes.h"

namespace ssm {
namespace {

TEST_CASE("passthrough forwards every call and answers upstream's bytes", "[passthrough_mode]") {
  testing::FakeUpstream up;
  up.script = {testing::Answer(200, "{\"Status\":\"InProgress\"}"),
               testing::AwsErrorAnswer(400, "ThrottlingException", "Rate exceeded")};
  PassthroughMode mode(&up);
  auto req = testing::Invocation("0b5b2f3c-1111-2222-3333-444455556666", "i-0123456789abcdef0");
  ModeAnswer a = mode.Handle(req);
  CHECK(a.outcome == Outcome::kForwarded);
  CHECK(a.response.status == 200);
  CHECK(a.response.body == "{\"Status\":\"InProgress\"}");
  ModeAnswer b = mode.Handle(req);
  CHECK(b.outcome == Outcome::kForwarded);
  CHECK(b.response.status == 400);
  CHECK(b.response.body.find("ThrottlingException") != std::string::npos);
  CHECK(up.calls() == 2);  // nothing is served from memory
}

TEST_CASE("passthrough answers transport failures with 502", "[passthrough_mode]") {
  testing::FakeUpstream up;
  up.failure = AwsError{502, kUpstreamUnreachable, "connection refused"};
  PassthroughMode mode(&up);
  ModeAnswer a = mode.Handle(testing::Invocation("0b5b2f3c-1111-2222-3333-444455556666", "i-0123456789abcdef0"));
  CHECK(a.outcome == Outcome::kError);
  CHECK(a.response.status == 502);
  CHECK(a.response.body.find(kUpstreamUnreachable) != std::string::npos);
}

}  // namespace
}  // namespace ssm
