#include "proxy/replay/poll_plan.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

constexpr char kCmd[] = "16ea0bfb-5cdb-4254-873d-021a57c8ab3a";

Interaction Answer(const std::string& status) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.status = 200;
  i.response_body = R"({"CommandId":"x","Status":")" + status + R"(","StatusDetails":"Detail"})";
  return i;
}

Interaction Error(const std::string& type) {
  Interaction i;
  i.action = kGetCommandInvocation;
  i.status = 400;
  i.response_body = R"({"__type":")" + type + R"(","message":"no such invocation"})";
  return i;
}

// The waiter's tape of issue 13: 1 InvocationDoesNotExist, 2 Pending, 12 InProgress, 1 Success.
Tape WaiterTape() {
  Tape tape;
  tape.key = TapeKey::ForInvocation(kCmd, "i-08b0130f3ddd5f444", std::nullopt).value();
  tape.interactions.push_back(Error("InvocationDoesNotExist"));
  for (int i = 0; i < 2; ++i) tape.interactions.push_back(Answer("Pending"));
  for (int i = 0; i < 12; ++i) tape.interactions.push_back(Answer("InProgress"));
  tape.interactions.push_back(Answer("Success"));
  return tape;
}

std::vector<size_t> Calls(const PollPlan& plan, int n) {
  std::vector<size_t> entries;
  for (int call = 0; call < n; ++call) entries.push_back(plan.EntryFor(call));
  return entries;
}

TEST_CASE("poll policies parse and name themselves; a bad one names the valid values", "[poll_plan]") {
  for (PollPolicy p : {PollPolicy::kRecorded, PollPolicy::kCollapse, PollPolicy::kFinal}) {
    Result<PollPolicy> parsed = ParsePollPolicy(PollPolicyName(p));
    REQUIRE(parsed.ok());
    CHECK(*parsed == p);
  }
  Result<PollPolicy> bad = ParsePollPolicy("fast");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().IsInvalidArgument());
  CHECK(bad.status().message() == "unknown polls 'fast': use recorded, collapse or final");
  CHECK_FALSE(ParsePollPolicy("Collapse").ok());
  CHECK_FALSE(ParsePollPolicy("").ok());
}

TEST_CASE("an answer's outcome is its error __type, else its Status, else its HTTP status", "[poll_plan]") {
  CHECK(AnswerOutcome(Answer("InProgress")) == "InProgress");
  CHECK(AnswerOutcome(Error("InvocationDoesNotExist")) == "InvocationDoesNotExist");
  Interaction nested = Answer("Success");
  nested.response_body = R"({"Command": {"Status": "Pending"}, "Status" : "Failed"})";
  CHECK(AnswerOutcome(nested) == "Failed");  // only the top-level member counts
  Interaction empty;
  empty.status = 503;
  empty.response_body = "";
  CHECK(AnswerOutcome(empty) == "HTTP 503");
  empty.response_body = "{\"Status\": 7}";  // not a string
  CHECK(AnswerOutcome(empty) == "HTTP 503");
}

TEST_CASE("recorded: the n-th call gets the n-th entry, then the last repeats", "[poll_plan]") {
  PollPlan plan = PollPlan::ForTape(PollPolicy::kRecorded, WaiterTape());
  std::vector<size_t> want;
  for (size_t i = 0; i < 16; ++i) want.push_back(i);
  want.insert(want.end(), {15, 15, 15});
  CHECK(Calls(plan, 19) == want);
  CHECK(plan.steps() == 16);
  CHECK(plan.length() == 16);
}

TEST_CASE("collapse: each run of equal outcomes once, then the last entry repeats", "[poll_plan]") {
  PollPlan plan = PollPlan::ForTape(PollPolicy::kCollapse, WaiterTape());
  CHECK(Calls(plan, 7) == std::vector<size_t>{0, 1, 3, 15, 15, 15, 15});
  CHECK(plan.steps() == 4);
  CHECK(plan.EntryFor(UINT64_MAX) == 15);
}

TEST_CASE("collapse of a tape whose terminal answer was recorded twice ends on its last entry", "[poll_plan]") {
  PollPlan plan(PollPolicy::kCollapse, std::vector<std::string>{"Pending", "Pending", "Success", "Success"});
  CHECK(Calls(plan, 5) == std::vector<size_t>{0, 2, 3, 3, 3});
  CHECK(plan.steps() == 3);
  PollPlan alternating(PollPolicy::kCollapse, std::vector<std::string>{"A", "B", "A", "A", "B"});
  CHECK(Calls(alternating, 6) == std::vector<size_t>{0, 1, 2, 4, 4, 4});
}

TEST_CASE("final: every call gets the terminal entry", "[poll_plan]") {
  PollPlan plan = PollPlan::ForTape(PollPolicy::kFinal, WaiterTape());
  CHECK(Calls(plan, 3) == std::vector<size_t>{15, 15, 15});
  CHECK(plan.steps() == 1);
}

TEST_CASE("tapes of other actions are planned as recorded under every policy", "[poll_plan]") {
  Tape tape;
  tape.key = TapeKey::ForAction("ListCommands", "{}").value();
  for (const char* s : {"Pending", "Pending", "Success"}) tape.interactions.push_back(Answer(s));
  for (PollPolicy p : {PollPolicy::kRecorded, PollPolicy::kCollapse, PollPolicy::kFinal}) {
    PollPlan plan = PollPlan::ForTape(p, tape);
    CHECK(plan.policy() == PollPolicy::kRecorded);
    CHECK(Calls(plan, 4) == std::vector<size_t>{0, 1, 2, 2});
  }
  CHECK(PolicyForTape(PollPolicy::kFinal, tape.key) == PollPolicy::kRecorded);
  CHECK(PolicyForTape(PollPolicy::kFinal, WaiterTape().key) == PollPolicy::kFinal);
}

TEST_CASE("plans of one-entry tapes and the length-only constructor", "[poll_plan]") {
  for (PollPolicy p : {PollPolicy::kRecorded, PollPolicy::kCollapse, PollPolicy::kFinal}) {
    CHECK(Calls(PollPlan(p, std::vector<std::string>{"Success"}), 3) == std::vector<size_t>{0, 0, 0});
    CHECK(Calls(PollPlan(p, size_t{1}), 2) == std::vector<size_t>{0, 0});
  }
  CHECK(Calls(PollPlan(PollPolicy::kFinal, size_t{3}), 2) == std::vector<size_t>{2, 2});
  CHECK(Calls(PollPlan(PollPolicy::kCollapse, size_t{3}), 4) == std::vector<size_t>{0, 1, 2, 2});
}

}  // namespace
}  // namespace ssm
