// serve --on-store-error (RecordMode::set_forward_on_store_error): a recording that fails still answers
// upstream's answer with `forward`, and either way is counted, shown as "degraded" in health, and in metrics.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "mode_fakes.h"
#include "proxy/modes/record_mode.h"

namespace ssm {
namespace {

using testing::Answer;
using testing::FakeRecorder;
using testing::FakeUpstream;
using testing::Invocation;

TEST_CASE("on-store-error forward answers upstream's answer when it cannot be recorded", "[record_mode]") {
  FakeUpstream up;
  up.script = {Answer(200, "{\"Status\":\"Success\"}")};
  FakeRecorder rec;
  Result<Redactor> red = Redactor::Create({{"operator-secret-value"}, {}});
  REQUIRE(red.ok());
  RecordMode mode(&up, &rec, &red.value());
  nlohmann::json health = {{"status", "ok"}};
  mode.AddHealth(&health);
  CHECK(health["status"] == "ok");

  SECTION("forward") {
    mode.set_forward_on_store_error(true);
    rec.fail = Status::IOError("MDB_MAP_FULL: the store's map is full");
    ModeAnswer a = mode.Handle(Invocation("0b5b2f3c-1111-2222-3333-444455556666", "i-0123456789abcdef0"));
    CHECK(a.outcome == Outcome::kForwarded);
    CHECK(a.response.status == 200);
    CHECK(a.response.body == "{\"Status\":\"Success\"}");
  }
  SECTION("fail (the default)") {
    rec.fail = Status::IOError("MDB_MAP_FULL: the store's map is full");
    ModeAnswer a = mode.Handle(Invocation("0b5b2f3c-1111-2222-3333-444455556666", "i-0123456789abcdef0"));
    CHECK(a.outcome == Outcome::kError);
    CHECK(a.response.status == 503);  // unavailable for now: SDKs retry it
    CHECK(a.response.body.find("RecordFailedException") != std::string::npos);
  }
  CHECK(mode.store_errors() == 1);
  mode.AddHealth(&health);
  CHECK(health["status"] == "degraded");
  CHECK(health["store_errors"] == 1);
  std::string metrics;
  mode.AddMetrics(&metrics);
  CHECK(metrics.find("ssm_replay_store_errors_total 1\n") != std::string::npos);
}

}  // namespace
}  // namespace ssm
