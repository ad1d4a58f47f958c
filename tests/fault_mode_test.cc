#include "proxy/modes/fault_mode.h"
#include "proxy/http/metrics.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "mode_fakes.h"
#include "proxy/http/metrics.h"

namespace ssm {
namespace {

using testing::Invocation;
using testing::Request;

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";
const char* const kInstances[] = {"i-08b0130f3ddd5f444", "i-06abcb62579f94ac0", "i-0e854fd6a57f2b03b"};

// The inner mode: plays "entry <n>" of each key's tape by walking the shared cursor table, as
// ReplayMode does, and counts its calls.
class FakeInner : public Mode {
 public:
  explicit FakeInner(CursorTable* cursors) : cursors_(cursors) {}
  const char* name() const override { return "replay"; }
  ModeAnswer Handle(const SsmRequest& request) override {
    ++calls;
    CursorStep step = cursors_->Next(request.key, 100);
    ModeAnswer a;
    a.outcome = Outcome::kHit;
    a.response.status = 200;
    a.response.body = "entry " + std::to_string(step.index);
    a.delay_us = inner_delay_us;
    return a;
  }
  std::atomic<int> calls{0};
  int64_t inner_delay_us = 0;

 private:
  CursorTable* cursors_;
};

FaultSpec Spec(const std::string& text) {
  Result<FaultSpec> spec = FaultSpec::Parse(text);
  REQUIRE(spec.ok());
  return spec.value();
}

// What a client would see: "throttle", "error500", "reset", "notfound", or the inner body.
std::string Seen(const ModeAnswer& a) {
  if (a.drop_connection) return "reset";
  if (a.response.status == 200) return a.response.body;
  auto body = nlohmann::json::parse(a.response.body);
  std::string type = body["__type"];
  if (type == "ThrottlingException") return "throttle";
  if (type == "InternalServerError") return "error500";
  if (type == "InvocationDoesNotExist") return "notfound";
  return type;
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

uint64_t FaultCount(const Metrics& metrics, const std::string& kind) {
  std::string text = metrics.Render({});
  std::string prefix = "ssm_replay_faults_injected_total{fault=\"" + kind + "\"} ";
  size_t at = text.find(prefix);
  if (at == std::string::npos) return 0;
  return std::stoull(text.substr(at + prefix.size()));
}

TEST_CASE("fault mode: throttle answers SSM's ThrottlingException and never reaches the inner mode",
          "[fault_mode]") {
  CursorTable cursors;
  FakeInner inner(&cursors);
  Metrics metrics;
  FaultMode mode(&inner, &cursors, &metrics, Spec("throttle=1"), 7);
  for (int i = 0; i < 5; ++i) {
    ModeAnswer a = mode.Handle(Invocation(kCmd, kInstances[0]));
    CHECK(a.outcome == Outcome::kFault);
    CHECK(a.response.status == 400);
    CHECK(a.response.body == "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");
    CHECK(Header(a.response, "Content-Type") == "application/x-amz-json-1.1");
    CHECK(Header(a.response, "x-amzn-RequestId").size() == 36);
    CHECK_FALSE(a.drop_connection);
  }
  CHECK(inner.calls == 0);
  CHECK(FaultCount(metrics, "throttle") == 5);
  CHECK(std::string(mode.name()) == "replay");
  CHECK(mode.ReadsRequestHeaders());  // as its inner mode does (a Mode reads them unless it says not)
}

TEST_CASE("fault mode: error500 and reset", "[fault_mode]") {
  CursorTable cursors;
  FakeInner inner(&cursors);
  Metrics metrics;
  FaultMode e500(&inner, &cursors, &metrics, Spec("error500=1"), 1);
  ModeAnswer a = e500.Handle(Invocation(kCmd, kInstances[0]));
  CHECK(a.response.status == 500);
  CHECK(nlohmann::json::parse(a.response.body)["__type"] == "InternalServerError");
  CHECK(a.outcome == Outcome::kFault);
  CHECK_FALSE(a.drop_connection);

  FaultMode reset(&inner, &cursors, &metrics, Spec("reset=100%"), 1);
  a = reset.Handle(Request("DescribeInstanceInformation", "{}"));
  CHECK(a.drop_connection);
  CHECK(a.outcome == Outcome::kFault);
  CHECK(a.response.status == 500);  // the fallback, should the connection not be droppable
  CHECK(inner.calls == 0);
  CHECK(FaultCount(metrics, "error500") == 1);
  CHECK(FaultCount(metrics, "reset") == 1);
}

TEST_CASE("fault mode: an empty spec passes every call through untouched", "[fault_mode]") {
  CursorTable cursors;
  FakeInner inner(&cursors);
  inner.inner_delay_us = 123;
  Metrics metrics;
  FaultMode mode(&inner, &cursors, &metrics, Spec("throttle=0,notfound-first=0"), 3);
  for (int i = 0; i < 4; ++i) {
    ModeAnswer a = mode.Handle(Invocation(kCmd, kInstances[0]));
    CHECK(a.outcome == Outcome::kHit);
    CHECK(a.response.body == "entry " + std::to_string(i));
    CHECK(a.delay_us == 123);
  }
  CHECK(metrics.Render({}).find("faults_injected_total{") == std::string::npos);
}

TEST_CASE("fault mode: notfound-first answers InvocationDoesNotExist, then the tape plays from its start",
          "[fault_mode]") {
  CursorTable cursors;
  FakeInner inner(&cursors);
  Metrics metrics;
  FaultMode mode(&inner, &cursors, &metrics, Spec("notfound-first=2"), 0);
  std::vector<std::string> a, b;
  for (int i = 0; i < 5; ++i) a.push_back(Seen(mode.Handle(Invocation(kCmd, kInstances[0]))));
  for (int i = 0; i < 3; ++i) b.push_back(Seen(mode.Handle(Invocation(kCmd, kInstances[1]))));
  CHECK(a == std::vector<std::string>{"notfound", "notfound", "entry 0", "entry 1", "entry 2"});
  CHECK(b == std::vector<std::string>{"notfound", "notfound", "entry 0"});  // per tape

  ModeAnswer nf = mode.Handle(Invocation(kCmd, kInstances[2]));
  CHECK(nf.response.status == 400);
  CHECK(nf.response.body == "{\"__type\":\"InvocationDoesNotExist\"}");  // as in fixtures/
  CHECK(nf.outcome == Outcome::kFault);

  // Other actions are not polls of an invocation.
  CHECK(Seen(mode.Handle(Request("ListCommands", "{}"))) == "entry 0");

  // A reset rewinds the tape, and the race happens again.
  cursors.ResetAll();
  std::vector<std::string> again;
  for (int i = 0; i < 3; ++i) again.push_back(Seen(mode.Handle(Invocation(kCmd, kInstances[0]))));
  CHECK(again == std::vector<std::string>{"notfound", "notfound", "entry 0"});
  CHECK(FaultCount(metrics, "notfound") == 7);
}

TEST_CASE("fault mode: delay is added to the inner delay, within the range", "[fault_mode]") {
  CursorTable cursors;
  FakeInner inner(&cursors);
  inner.inner_delay_us = 1000;
  Metrics metrics;
  FaultMode fixed(&inner, &cursors, &metrics, Spec("delay=7"), 0);
  CHECK(fixed.Handle(Invocation(kCmd, kInstances[0])).delay_us == 8000);

  FaultMode range(&inner, &cursors, &metrics, Spec("delay=5-20"), 0);
  std::map<int64_t, int> seen;
  for (int i = 0; i < 300; ++i) {
    ModeAnswer a = range.Handle(Invocation(kCmd, kInstances[i % 3]));
    CHECK(a.outcome == Outcome::kHit);  // a delay alone is not a failed answer
    CHECK(a.delay_us >= 6000);
    CHECK(a.delay_us <= 21000);
    ++seen[a.delay_us];
  }
  CHECK(seen.size() == 16);  // every millisecond of 5..20 came up
  CHECK(FaultCount(metrics, "delay") == 301);
}

// Drives `calls_per_key` calls on each key through a fresh mode; per key, what the client saw.
std::map<std::string, std::vector<std::string>> Run(const std::string& spec, uint64_t seed, int calls_per_key,
                                                    bool interleave, bool threads = false) {
  CursorTable cursors;
  FakeInner inner(&cursors);
  FaultMode mode(&inner, &cursors, nullptr, Spec(spec), seed);
  std::map<std::string, std::vector<std::string>> out;
  for (const char* i : kInstances) out[i];
  if (threads) {
    std::vector<std::thread> pool;
    for (const char* i : kInstances) {
      auto* seen = &out[i];
      pool.emplace_back([&, i, seen] {
        for (int n = 0; n < calls_per_key; ++n) seen->push_back(Seen(mode.Handle(Invocation(kCmd, i))));
      });
    }
    for (auto& t : pool) t.join();
  } else if (interleave) {
    for (int n = 0; n < calls_per_key; ++n) {
      for (const char* i : kInstances) out[i].push_back(Seen(mode.Handle(Invocation(kCmd, i))));
    }
  } else {
    for (const char* i : kInstances) {
      for (int n = 0; n < calls_per_key; ++n) out[i].push_back(Seen(mode.Handle(Invocation(kCmd, i))));
    }
  }
  return out;
}

TEST_CASE("fault mode: same seed and calls give the same faults, whatever the interleaving", "[fault_mode]") {
  const std::string spec = "throttle=0.2,error500=0.1,reset=0.1,notfound-first=1";
  auto sequential = Run(spec, 42, 200, false);
  CHECK(Run(spec, 42, 200, false) == sequential);
  CHECK(Run(spec, 42, 200, true) == sequential);
  CHECK(Run(spec, 42, 200, false, /*threads=*/true) == sequential);
  CHECK(Run(spec, 43, 200, false) != sequential);
  // Keys get different fault sequences (the key is part of each decision).
  CHECK(sequential[kInstances[0]] != sequential[kInstances[1]]);
}

// The inner mode of named sessions: plays "entry <n>" of each key's tape on the request's session.
class FakeSessionInner : public Mode {
 public:
  explicit FakeSessionInner(SessionRegistry* sessions) : sessions_(sessions) {}
  const char* name() const override { return "replay"; }
  ModeAnswer Handle(const SsmRequest& request) override {
    ModeAnswer a;
    a.outcome = Outcome::kHit;
    a.response.status = 200;
    a.response.body = "entry " + std::to_string(sessions_->Use(request.session).value()->Next(request.key, 100).index);
    return a;
  }

 private:
  SessionRegistry* sessions_;
};

SsmRequest InSession(SsmRequest request, const std::string& session) {
  request.session = session;
  return request;
}

// What each of `names` sees over `calls` calls on one key, the sessions' calls alternating or not.
std::map<std::string, std::vector<std::string>> RunSessions(const std::vector<std::string>& names, int calls,
                                                            bool alternate) {
  CursorTable cursors;
  SessionRegistry sessions(SessionLimits{}, SessionSettings{});
  FakeSessionInner inner(&sessions);
  FaultMode mode(&inner, &cursors, nullptr, Spec("throttle=0.3,notfound-first=2"), 7, &sessions);
  std::map<std::string, std::vector<std::string>> seen;
  auto call = [&](const std::string& session) {
    seen[session].push_back(Seen(mode.Handle(InSession(Invocation(kCmd, kInstances[0]), session))));
  };
  if (alternate) {
    for (int n = 0; n < calls; ++n) {
      for (const std::string& name : names) call(name);
    }
  } else {
    for (const std::string& name : names) {
      for (int n = 0; n < calls; ++n) call(name);
    }
  }
  return seen;
}

TEST_CASE("fault mode: each session sees its own faults, whatever the other sessions do", "[fault_mode]") {
  auto alone = RunSessions({"a"}, 60, false);
  auto after = RunSessions({"a", "b"}, 60, false);
  auto interleaved = RunSessions({"a", "b"}, 60, true);
  CHECK(after["a"] == alone["a"]);
  CHECK(interleaved["a"] == alone["a"]);
  CHECK(interleaved["b"] == after["b"]);
  CHECK(interleaved["a"] != interleaved["b"]);  // the session is part of each decision
  // Each session walks the tape from its start, faults in between.
  for (const auto& [session, answers] : interleaved) {
    INFO(session);
    CHECK(std::count(answers.begin(), answers.end(), "notfound") == 2);  // notfound-first=2, per session
    int next_entry = 0;
    for (const std::string& a : answers) {
      if (a.compare(0, 6, "entry ") == 0) CHECK(a == "entry " + std::to_string(next_entry++));
    }
    CHECK(next_entry > 30);
  }
}

TEST_CASE("fault mode: fault rates follow the probabilities and the tape is still played in order",
          "[fault_mode]") {
  auto seen = Run("throttle=0.3,error500=0.1", 9, 3000, false);
  for (auto& [instance, answers] : seen) {
    std::map<std::string, int> count;
    int next_entry = 0;
    bool in_order = true;
    for (const std::string& a : answers) {
      ++count[a.compare(0, 6, "entry ") == 0 ? "entry" : a];
      if (a.compare(0, 6, "entry ") == 0)
        in_order &= a == "entry " + std::to_string(std::min(next_entry++, 99));
    }
    INFO(instance);
    CHECK(in_order);  // faults never skip or repeat a tape entry
    CHECK(count["throttle"] > 800);
    CHECK(count["throttle"] < 1000);
    CHECK(count["error500"] > 230);
    CHECK(count["error500"] < 370);
    CHECK(count["entry"] == 3000 - count["throttle"] - count["error500"]);
  }
}

TEST_CASE("fault mode: a missing tape (cursor never moves) still gets fresh decisions", "[fault_mode]") {
  CursorTable cursors;
  Metrics metrics;
  // An inner mode that never advances a cursor, as a replay miss.
  struct MissInner : Mode {
    const char* name() const override { return "replay"; }
    ModeAnswer Handle(const SsmRequest&) override {
      ModeAnswer a;
      a.outcome = Outcome::kMiss;
      a.response.status = 404;
      a.response.body = "{\"__type\":\"ReplayMissException\"}";
      return a;
    }
  } inner;
  FaultMode mode(&inner, &cursors, &metrics, Spec("throttle=0.5"), 5);
  int throttled = 0;
  for (int i = 0; i < 200; ++i) throttled += Seen(mode.Handle(Invocation(kCmd, kInstances[0]))) == "throttle";
  CHECK(throttled > 70);
  CHECK(throttled < 130);
}

}  // namespace
}  // namespace ssm
