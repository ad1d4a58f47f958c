#include "proxy/modes/auto_mode.h"

#include <catch2/catch.hpp>

#include "mode_fakes.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "0b5b2f3c-1111-2222-3333-444455556666";

Interaction Recorded(const std::string& body) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 200;
  in.headers = {{"Content-Type", "application/x-amz-json-1.1"}};
  in.response_body = body;
  return in;
}

// A recorder that also puts the tape where the player reads it, as the real store does.
class StoringRecorder : public testing::FakeRecorder {
 public:
  explicit StoringRecorder(testing::FakeTapePlayer* player) : player_(player) {}
  Status Record(const TapeKey& key, Interaction interaction) override {
    player_->Put(key, {interaction});
    return FakeRecorder::Record(key, std::move(interaction));
  }

 private:
  testing::FakeTapePlayer* player_;
};

// Redaction with no rules configured.
Redactor NoRedaction() {
  auto red = Redactor::Create({});
  REQUIRE(red.ok());
  return std::move(red).value();
}

// Auto mode over `player` (not owned; must outlive the rig) with a scripted upstream and a recorder
// that stores into the player.
struct AutoModeRig {
  explicit AutoModeRig(testing::FakeTapePlayer* player)
      : rec(player), record(&up, &rec, &redactor), mode(player, &cursors, ReplayOptions{}, &record) {}
  AutoModeRig(const AutoModeRig&) = delete;
  AutoModeRig& operator=(const AutoModeRig&) = delete;

  CursorTable cursors;
  testing::FakeUpstream up;
  StoringRecorder rec;
  Redactor redactor = NoRedaction();
  RecordMode record;
  AutoMode mode;
};

TEST_CASE("auto mode answers a recorded key from its tape without calling upstream", "[auto_mode]") {
  testing::FakeTapePlayer player;
  AutoModeRig rig(&player);
  rig.up.script = {testing::Answer(200, "{\"Status\":\"from-upstream\"}")};

  auto req = testing::Invocation(kCmd, "i-0123456789abcdef0");
  player.Put(req.key, {Recorded("{\"Status\":\"Pending\"}"), Recorded("{\"Status\":\"Success\"}")});
  ModeAnswer a = rig.mode.Handle(req);
  ModeAnswer b = rig.mode.Handle(req);
  ModeAnswer c = rig.mode.Handle(req);
  CHECK(a.outcome == Outcome::kHit);
  CHECK(a.response.body == "{\"Status\":\"Pending\"}");  // replay rules: cursor walks the tape
  CHECK(b.response.body == "{\"Status\":\"Success\"}");
  CHECK(c.response.body == "{\"Status\":\"Success\"}");  // terminal answer repeats
  CHECK(rig.up.calls() == 0);
  CHECK(rig.rec.records.empty());
}

TEST_CASE("auto mode forwards and records an unrecorded key once, then replays it", "[auto_mode]") {
  testing::FakeTapePlayer player;
  AutoModeRig rig(&player);
  rig.up.script = {testing::Answer(200, "{\"Status\":\"InProgress\"}"), testing::Answer(200, "{\"Status\":\"X\"}")};

  auto req = testing::Invocation(kCmd, "i-0fedcba9876543210");
  ModeAnswer first = rig.mode.Handle(req);
  CHECK(first.outcome == Outcome::kRecorded);
  CHECK(first.response.body == "{\"Status\":\"InProgress\"}");
  CHECK(rig.up.calls() == 1);
  REQUIRE(rig.rec.records.size() == 1);
  CHECK(player.invalidated == std::vector<std::string>{req.key.encoded()});

  ModeAnswer second = rig.mode.Handle(req);
  CHECK(second.outcome == Outcome::kHit);
  CHECK(second.response.body == "{\"Status\":\"InProgress\"}");
  CHECK(rig.up.calls() == 1);  // not forwarded again
}

TEST_CASE("auto mode does not record a transport failure, so the key is forwarded again", "[auto_mode]") {
  testing::FakeTapePlayer player;
  AutoModeRig rig(&player);
  rig.up.failure = AwsError{502, kUpstreamUnreachable, "refused"};
  auto req = testing::Invocation(kCmd, "i-0fedcba9876543210");
  CHECK(rig.mode.Handle(req).response.status == 502);
  CHECK(rig.mode.Handle(req).response.status == 502);
  CHECK(rig.up.calls() == 2);
  CHECK(rig.rec.records.empty());
  CHECK(player.invalidated.empty());
}

TEST_CASE("auto mode answers a store failure as replay does, without forwarding or recording", "[auto_mode]") {
  class FailingPlayer : public testing::FakeTapePlayer {
   public:
    Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) override {
      ++finds;
      return Status::Corruption("tape " + key.Describe() + ", entry 0: checksum mismatch");
    }
  };
  FailingPlayer player;
  AutoModeRig rig(&player);
  rig.up.script = {testing::Answer(200, "{\"Status\":\"from-upstream\"}")};
  ModeAnswer a = rig.mode.Handle(testing::Invocation(kCmd, "i-0123456789abcdef0"));
  CHECK(a.outcome == Outcome::kError);
  CHECK(a.response.status == 500);
  CHECK(a.response.body.find("checksum mismatch") != std::string::npos);
  CHECK(player.finds == 1);  // one lookup per call
  CHECK(rig.up.calls() == 0);
  CHECK(rig.rec.records.empty());
}

}  // namespace
}  // namespace ssm
