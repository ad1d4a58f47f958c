#include "proxy/modes/replay_mode.h"

#include <map>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "proxy/replay/session_registry.h"
#include "proxy/ssm/request_parser.h"
#include "store/tape_store.h"
#include "tests/test_util.h"

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
constexpr char kInstance[] = "i-08b0130f3ddd5f444";

// Tapes in a map, nearest keys scripted, failures injectable.
class MapPlayer : public TapePlayer {
 public:
  Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail.ok()) return fail;
    auto it = tapes.find(key.encoded());
    if (it == tapes.end()) return Status::NotFound("no tape");
    return std::shared_ptr<const Tape>(std::make_shared<Tape>(it->second));
  }
  std::vector<TapeKey> Nearest(const TapeKey& key, size_t limit) override {
    std::vector<TapeKey> keys;
    for (auto& [encoded, tape] : tapes) keys.push_back(tape.key);
    return RankNearest(key, keys, limit);
  }
  void Invalidate(const TapeKey&) override {}
  void InvalidateAll() override {}
  uint64_t tapes_cached() const override { return tapes.size(); }
  uint64_t tape_loads() const override { return 0; }

  void Put(const TapeKey& key, std::vector<Interaction> entries) {
    tapes.insert_or_assign(key.encoded(), Tape{key, entries});
  }

  std::map<std::string, Tape> tapes;
  Status fail;

 private:
  std::mutex mu_;
};

Interaction Answer(const std::string& status, int64_t latency_us = 0) {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 200;
  in.headers = {{"x-amzn-RequestId", "rec-" + status}, {"Content-Type", "application/x-amz-json-1.1"}};
  in.response_body = "{\"CommandId\":\"" + std::string(kCmd) + "\",  \"Status\":\"" + status + "\"}";
  in.upstream_latency_us = latency_us;
  return in;
}

Interaction NotYet() {
  Interaction in;
  in.action = "GetCommandInvocation";
  in.status = 400;
  in.headers = {{"x-amzn-RequestId", "rec-0"}, {"Content-Type", "application/x-amz-json-1.1"}};
  in.response_body = "{\"__type\":\"InvocationDoesNotExist\"}";
  return in;
}

SsmRequest Call(const std::string& body, const std::string& action = "GetCommandInvocation") {
  ParsedRequest p = ParseSsmRequest("POST", "/", {{"X-Amz-Target", "AmazonSSM." + action}}, body);
  REQUIRE(p.ok());
  return *p.request;
}

SsmRequest Invocation(const std::string& instance = kInstance, const std::string& plugin = "") {
  std::string body = std::string("{\"CommandId\":\"") + kCmd + "\",\"InstanceId\":\"" + instance + "\"";
  if (!plugin.empty()) body += ",\"PluginName\":\"" + plugin + "\"";
  return Call(body + "}");
}

TapeKey Key(const std::string& instance = kInstance, std::optional<std::string> plugin = std::nullopt) {
  return TapeKey::ForInvocation(kCmd, instance, plugin).value();
}

TEST_CASE("replay answers from the key alone, so the server may hand it only the parser's headers", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {Answer("Success")});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  CHECK_FALSE(mode.ReadsRequestHeaders());
  ParsedRequest bare = ParseSsmRequest("POST", "/", {{"X-Amz-Target", "AmazonSSM.GetCommandInvocation"}},
                                       Invocation().body);
  REQUIRE(bare.ok());
  ModeAnswer a = mode.Handle(*bare.request);
  CHECK(a.outcome == Outcome::kHit);
  CHECK(a.response.body == mode.Handle(Invocation()).response.body);
}

TEST_CASE("hit plays the recorded sequence, then repeats the terminal answer", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {NotYet(), Answer("Pending"), Answer("InProgress"), Answer("Success")});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  std::vector<std::string> bodies;
  for (int i = 0; i < 6; ++i) {
    ModeAnswer a = mode.Handle(Invocation());
    CHECK(a.outcome == Outcome::kHit);
    CHECK(a.delay_us == 0);
    bodies.push_back(a.response.body);
    if (i == 0) {
      CHECK(a.response.status == 400);
    } else {
      CHECK(a.response.status == 200);
    }
  }
  CHECK(bodies[0] == NotYet().response_body);
  CHECK(bodies[1] == Answer("Pending").response_body);
  CHECK(bodies[2] == Answer("InProgress").response_body);
  CHECK(bodies[3] == Answer("Success").response_body);
  CHECK(bodies[5] == Answer("Success").response_body);
}

TEST_CASE("hit answers recorded headers and body bytes exactly", "[replay]") {
  MapPlayer player;
  Interaction in = Answer("Success");
  in.headers.emplace_back("x-custom", "kept");
  player.Put(Key(), {in});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  ModeAnswer a = mode.Handle(Invocation());
  CHECK(a.response.headers == in.headers);
  CHECK(a.response.body == in.response_body);  // spacing inside the body kept as recorded
}

TEST_CASE("reset rewinds: same bytes in the same order", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {Answer("Pending"), Answer("InProgress"), Answer("Success")});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  auto run = [&] {
    std::vector<std::string> out;
    for (int i = 0; i < 4; ++i) out.push_back(mode.Handle(Invocation()).response.body);
    return out;
  };
  auto first = run();
  cursors.ResetAll();
  CHECK(run() == first);
}

// The same rules over the real player, which decodes only the entry each call's cursor points at.
TEST_CASE("over a store: sequence, terminal repeat, reset, order last, misses, one record read per call",
          "[replay]") {
  test::TempDir dir;
  auto store = TapeStore::Open(dir.Sub("s")).value();
  WriteBatch batch;
  batch.ReplaceTape(Key(), {NotYet(), Answer("Pending"), Answer("InProgress"), Answer("Success")});
  batch.ReplaceTape(Key("i-06abcb62579f94ac0"), {Answer("Failed")});
  REQUIRE(store->Write(batch).ok());
  StoreTapePlayer player(store.get());
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  auto run = [&] {
    std::vector<std::string> out;
    for (int i = 0; i < 6; ++i) {
      ModeAnswer a = mode.Handle(Invocation());
      CHECK(a.outcome == Outcome::kHit);
      out.push_back(std::to_string(a.response.status) + " " + a.response.body);
    }
    return out;
  };
  std::vector<std::string> first = run();
  CHECK(first[0] == "400 " + NotYet().response_body);
  CHECK(first[1] == "200 " + Answer("Pending").response_body);
  CHECK(first[3] == "200 " + Answer("Success").response_body);
  CHECK(first[5] == first[3]);
  CHECK(player.tape_loads() == 4);  // one record per entry, each decoded once
  cursors.ResetAll();
  CHECK(run() == first);
  CHECK(player.tape_loads() == 4);  // the second run answers from the cache

  // Another key's cursor is its own; a miss leaves cursors alone and answers the miss.
  CHECK(mode.Handle(Invocation("i-06abcb62579f94ac0")).response.body == Answer("Failed").response_body);
  CHECK_FALSE(mode.FromTape(Invocation("i-0123456789abcdef0")).has_value());
  ModeAnswer miss = mode.Handle(Invocation("i-0123456789abcdef0"));
  CHECK(miss.outcome == Outcome::kMiss);
  CHECK(miss.response.status == 404);
  CHECK(cursors.Calls(Key("i-0123456789abcdef0")) == 0);

  ReplayOptions last;
  last.order = ReplayOrder::kLast;
  CursorTable fresh;
  StoreTapePlayer cold(store.get());
  ReplayMode terminal(&cold, &fresh, last);
  CHECK(terminal.Handle(Invocation()).response.body == Answer("Success").response_body);
  CHECK(terminal.Handle(Invocation()).response.body == Answer("Success").response_body);
  CHECK(cold.tape_loads() == 1);  // only the terminal entry was ever read
}

TEST_CASE("order last answers the terminal entry", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {Answer("Pending"), Answer("Failed")});
  CursorTable cursors;
  ReplayOptions options;
  options.order = ReplayOrder::kLast;
  ReplayMode mode(&player, &cursors, options);
  CHECK(mode.Handle(Invocation()).response.body == Answer("Failed").response_body);
  CHECK(mode.Handle(Invocation()).response.body == Answer("Failed").response_body);
}

TEST_CASE("PluginName absent and present are different tapes", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {Answer("Success")});
  player.Put(Key(kInstance, std::string("PatchLinux")), {Answer("InProgress")});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  CHECK(mode.Handle(Invocation(kInstance, "PatchLinux")).response.body == Answer("InProgress").response_body);
  CHECK(mode.Handle(Invocation()).response.body == Answer("Success").response_body);
  ModeAnswer miss = mode.Handle(Invocation(kInstance, "PatchWindows"));
  CHECK(miss.outcome == Outcome::kMiss);
  CHECK(miss.response.status == 404);
}

TEST_CASE("miss is a 404 ReplayMissException naming the key and the nearest keys", "[replay]") {
  MapPlayer player;
  player.Put(Key("i-06abcb62579f94ac0"), {Answer("Success")});
  player.Put(Key(kInstance, std::string("PatchLinux")), {Answer("Success")});
  player.Put(TapeKey::ForInvocation("469a0bdb-7bff-40fd-8698-2e22e4f0e7e8", kInstance, std::nullopt).value(),
             {Answer("Success")});
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  ModeAnswer a = mode.Handle(Invocation());
  CHECK(a.outcome == Outcome::kMiss);
  CHECK(a.response.status == 404);
  auto body = nlohmann::json::parse(a.response.body);
  CHECK(body["__type"] == "ReplayMissException");
  std::string message = body["message"];
  INFO(message);
  CHECK(message.find("GetCommandInvocation") != std::string::npos);
  CHECK(message.find(kCmd) != std::string::npos);
  CHECK(message.find(kInstance) != std::string::npos);
  // Same instance other plugin first, then the other instance.
  size_t plugin = message.find("PluginName=PatchLinux");
  size_t other = message.find("i-06abcb62579f94ac0");
  REQUIRE(plugin != std::string::npos);
  REQUIRE(other != std::string::npos);
  CHECK(plugin < other);
  CHECK(cursors.size() == 0);  // a miss moves no cursor
}

TEST_CASE("miss on a request breaking constraints is AWS's ValidationException", "[replay]") {
  MapPlayer player;
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  ModeAnswer a = mode.Handle(Invocation("i-083e1601960282cd"));
  CHECK(a.outcome == Outcome::kMiss);
  CHECK(a.response.status == 400);
  auto body = nlohmann::json::parse(a.response.body);
  CHECK(body["__type"] == "ValidationException");
  CHECK(std::string(body["message"]).find("at 'instanceId'") != std::string::npos);
}

TEST_CASE("miss on another action names the action and request", "[replay]") {
  MapPlayer player;
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  ModeAnswer a = mode.Handle(Call("{\"DocumentName\":\"AWS-RunShellScript\"}", "SendCommand"));
  CHECK(a.response.status == 404);
  std::string message = nlohmann::json::parse(a.response.body)["message"];
  CHECK(message.find("SendCommand") != std::string::npos);
  CHECK(message.find("AWS-RunShellScript") != std::string::npos);
}

TEST_CASE("a store failure is a 500 naming the tape", "[replay]") {
  MapPlayer player;
  player.fail = Status::Corruption("checksum mismatch");
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  ModeAnswer a = mode.Handle(Invocation());
  CHECK(a.outcome == Outcome::kError);
  CHECK(a.response.status == 500);
  CHECK(a.response.body.find("checksum mismatch") != std::string::npos);
}

TEST_CASE("latency policies", "[replay]") {
  MapPlayer player;
  player.Put(Key(), {Answer("Success", 41230)});
  CursorTable cursors;
  ReplayOptions options;
  options.latency = LatencyPolicy::Parse("recorded").value();
  CHECK(ReplayMode(&player, &cursors, options).Handle(Invocation()).delay_us == 41230);
  options.latency = LatencyPolicy::Parse("fixed:25").value();
  CHECK(ReplayMode(&player, &cursors, options).Handle(Invocation()).delay_us == 25000);
  options.latency = LatencyPolicy::Parse("none").value();
  CHECK(ReplayMode(&player, &cursors, options).Handle(Invocation()).delay_us == 0);
  for (const char* bad : {"fixed:", "fixed:-1", "fixed:x", "slow", "fixed:10ms"}) {
    INFO(bad);
    CHECK_FALSE(LatencyPolicy::Parse(bad).ok());
  }
}

TEST_CASE("parallel waiters on different instances each see their own sequence", "[replay][concurrency]") {
  MapPlayer player;
  std::vector<std::string> instances;
  for (int i = 0; i < 8; ++i) {
    char id[32];
    std::snprintf(id, sizeof(id), "i-%017d", i);
    instances.push_back(id);
    player.Put(Key(id), {Answer("Pending"), Answer("InProgress"), Answer("Success")});
  }
  CursorTable cursors;
  ReplayMode mode(&player, &cursors, {});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (const auto& id : instances) {
    threads.emplace_back([&, id] {
      const char* expected[] = {"Pending", "InProgress", "Success", "Success"};
      for (const char* status : expected) {
        if (mode.Handle(Invocation(id)).response.body != Answer(status).response_body) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
}

// The Status (or error type) of each answer to `n` calls of `request` in `mode`.
std::vector<std::string> Outcomes(ReplayMode& mode, const SsmRequest& request, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    ModeAnswer answer = mode.Handle(request);
    REQUIRE(answer.outcome == Outcome::kHit);
    auto body = nlohmann::json::parse(answer.response.body);
    out.push_back(body.contains("Status") ? body["Status"] : body["__type"]);
  }
  return out;
}

TEST_CASE("polls: collapse serves each run of outcomes once, final the terminal answer", "[replay][polls]") {
  MapPlayer player;
  TapeKey key = Invocation().key;
  player.Put(key, {NotYet(), NotYet(), Answer("Pending"), Answer("InProgress"), Answer("InProgress"),
                   Answer("InProgress"), Answer("Success")});
  CursorTable cursors;
  ReplayOptions options;
  options.polls = PollPolicy::kCollapse;
  ReplayMode collapse(&player, &cursors, options);
  CHECK(Outcomes(collapse, Invocation(), 6) ==
        std::vector<std::string>{"InvocationDoesNotExist", "Pending", "InProgress", "Success", "Success", "Success"});
  ModeAnswer again = collapse.Handle(Invocation());
  CHECK(again.response.body == player.tapes.begin()->second.interactions.back().response_body);  // recorded bytes
  CHECK(again.step == 7);
  CHECK(again.steps == 7);

  // Per session: final in one, recorded in another, on the same server.
  SessionRegistry sessions(SessionLimits{}, SessionSettings{});
  sessions.Configure("fin", SessionSettings{PollPolicy::kFinal, false});
  ReplayMode replay(&player, &cursors, ReplayOptions{}, &sessions);
  SsmRequest in_final = Invocation(), in_recorded = Invocation();
  in_final.session = "fin";
  in_recorded.session = "rec";
  CHECK(Outcomes(replay, in_final, 2) == std::vector<std::string>{"Success", "Success"});
  CHECK(Outcomes(replay, in_recorded, 3) ==
        std::vector<std::string>{"InvocationDoesNotExist", "InvocationDoesNotExist", "Pending"});
}

TEST_CASE("shift-times moves the dates by the session's first call minus the tape's recorded time", "[replay][polls]") {
  MapPlayer player;
  TapeKey key = Invocation().key;
  Interaction first = Answer("InProgress"), last = Answer("Success");
  first.recorded_at_ms = 1'790'000'000'000;
  last.recorded_at_ms = 1'790'000'005'000;
  first.response_body = R"({"Status":"InProgress","ExecutionStartDateTime":"2026-09-21T14:13:20.000Z"})";
  last.response_body = R"({"Status":"Success","ExecutionStartDateTime":"2026-09-21T14:13:20.000Z",)"
                       R"("ExecutionEndDateTime":"2026-09-21T14:13:25.000Z"})";
  player.Put(key, {first, last});
  int64_t now = 1'800'000'000'000;
  SessionRegistry sessions(SessionLimits{}, SessionSettings{PollPolicy::kRecorded, true}, [&now] { return now; });
  ReplayMode replay(&player, nullptr, ReplayOptions{}, &sessions);
  SsmRequest request = Invocation();
  request.session = "s";
  // 10,000,000 s later: 2026-09-21T14:13:20Z + 10^7 s = 2027-01-15T08:00:00Z.
  CHECK(replay.Handle(request).response.body ==
        R"({"Status":"InProgress","ExecutionStartDateTime":"2027-01-15T08:00:00.000Z"})");
  now += 60'000;  // the offset stays the session's first call's
  CHECK(replay.Handle(request).response.body ==
        R"({"Status":"Success","ExecutionStartDateTime":"2027-01-15T08:00:00.000Z",)"
        R"("ExecutionEndDateTime":"2027-01-15T08:00:05.000Z"})");
  // Off: byte-identical.
  request.session = "off";
  sessions.Configure("off", SessionSettings{});
  CHECK(replay.Handle(request).response.body == first.response_body);
}

}  // namespace
}  // namespace ssm
