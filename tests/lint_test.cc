#include <catch2/catch.hpp>

#include "proxy/ssm/waiter_lint.h"

namespace ssm {
namespace {

Interaction StatusAnswer(const std::string& status) {
  Interaction in;
  in.status = 200;
  in.response_body = "{\"Status\":\"" + status + "\"}";
  return in;
}

Interaction Error(const std::string& type, int http = 400) {
  Interaction in;
  in.status = http;
  in.response_body = "{\"__type\":\"" + type + "\"}";
  return in;
}

Tape Of(std::vector<Interaction> entries) {
  return Tape{
      TapeKey::ForInvocation("16ea0bfb-5cdb-4254-873d-021a57c8ab3a", "i-08b0130f3ddd5f444", std::nullopt)
          .value(),
      std::move(entries)};
}

using End = WaiterLintResult::End;

TEST_CASE("eventual consistency then Success", "[lint]") {
  auto r = LintCommandExecuted(Of({Error("InvocationDoesNotExist"), StatusAnswer("Pending"),
                                   StatusAnswer("InProgress"), StatusAnswer("Success")}));
  CHECK(r.end == End::kSuccess);
  CHECK(r.attempts == 4);
  CHECK(r.state == "Success");
  CHECK_FALSE(r.warning());
}

TEST_CASE("failure states end the waiter", "[lint]") {
  for (const char* s : {"Failed", "TimedOut", "Cancelled", "Cancelling"}) {
    INFO(s);
    auto r = LintCommandExecuted(Of({StatusAnswer("InProgress"), StatusAnswer(s)}));
    CHECK(r.end == End::kFailure);
    CHECK(r.state == s);
    CHECK_FALSE(r.warning());
  }
}

TEST_CASE("Delayed retries; a tape ending in a retry state never ends", "[lint]") {
  auto r =
      LintCommandExecuted(Of({StatusAnswer("Pending"), StatusAnswer("Delayed"), StatusAnswer("InProgress")}));
  CHECK(r.end == End::kNeverTerminal);
  CHECK(r.warning());
  CHECK(r.message.find("never reaches a terminal state") != std::string::npos);
  CHECK(LintCommandExecuted(Of({Error("InvocationDoesNotExist")})).end == End::kNeverTerminal);
}

TEST_CASE("a default waiter gives up before a late terminal state", "[lint]") {
  std::vector<Interaction> entries(20, StatusAnswer("InProgress"));
  entries.push_back(StatusAnswer("Success"));  // poll 21
  auto r = LintCommandExecuted(Of(entries));
  CHECK(r.end == End::kGivesUp);
  CHECK(r.attempts == 21);
  CHECK(r.warning());
  entries.erase(entries.begin());  // poll 20: just in time
  CHECK(LintCommandExecuted(Of(entries)).end == End::kSuccess);
  WaiterConfig patient;
  patient.max_attempts = 100;
  entries.insert(entries.begin(), StatusAnswer("InProgress"));
  entries.insert(entries.begin(), StatusAnswer("InProgress"));
  CHECK(LintCommandExecuted(Of(entries), patient).end == End::kSuccess);
}

TEST_CASE("other errors stop the waiter", "[lint]") {
  auto r = LintCommandExecuted(Of({Error("com.amazonaws.ssm#InvalidInstanceId")}));
  CHECK(r.end == End::kError);
  CHECK(r.state == "InvalidInstanceId");
  CHECK_FALSE(r.warning());
}

TEST_CASE("unreadable answers are flagged", "[lint]") {
  Interaction garbage;
  garbage.status = 200;
  garbage.response_body = "<html>";
  auto r = LintCommandExecuted(Of({garbage}));
  CHECK(r.end == End::kUnreadable);
  CHECK(r.warning());
}

}  // namespace
}  // namespace ssm
