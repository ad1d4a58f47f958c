#include "proxy/ssm/waiter_lint.h"

#include <strings.h>

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

enum class Acceptor { kRetry, kSuccess, kFailure, kError, kUnreadable };

struct Judged {
  Acceptor acceptor;
  std::string state;
};

Judged Judge(const Interaction& entry) {
  auto body = nlohmann::json::parse(entry.response_body, nullptr, /*allow_exceptions=*/false);
  if (entry.status >= 300) {
    // botocore takes the error code from __type (after any '#'), else x-amzn-ErrorType.
    std::string code;
    if (body.is_object() && body.contains("__type") && body["__type"].is_string()) {
      code = body["__type"].get<std::string>();
    } else {
      for (const auto& [name, value] : entry.headers) {
        if (strcasecmp(name.c_str(), "x-amzn-ErrorType") == 0) code = value;
      }
    }
    code = code.substr(code.find('#') == std::string::npos ? 0 : code.find('#') + 1);
    code = code.substr(0, code.find(':'));
    if (code.empty()) code = "HTTP " + std::to_string(entry.status);
    return {code == "InvocationDoesNotExist" ? Acceptor::kRetry : Acceptor::kError, code};
  }
  if (!body.is_object()) return {Acceptor::kUnreadable, "unreadable body"};
  auto it = body.find("Status");
  if (it == body.end() || !it->is_string()) return {Acceptor::kRetry, "(no Status)"};
  std::string status = it->get<std::string>();
  if (status == "Pending" || status == "InProgress" || status == "Delayed") return {Acceptor::kRetry, status};
  if (status == "Success") return {Acceptor::kSuccess, status};
  if (status == "Cancelled" || status == "TimedOut" || status == "Failed" || status == "Cancelling") {
    return {Acceptor::kFailure, status};
  }
  return {Acceptor::kRetry, status};  // no acceptor matches a non-error answer: the waiter retries
}

}  // namespace

WaiterLintResult LintCommandExecuted(const Tape& tape, const WaiterConfig& config) {
  WaiterLintResult r;
  const auto& entries = tape.interactions;
  if (entries.empty()) {
    r.end = WaiterLintResult::End::kUnreadable;
    r.message = "the tape is empty";
    return r;
  }
  std::string timing =
      " (" + std::to_string(config.max_attempts) + " attempts x " + std::to_string(config.delay_s) + " s)";
  for (size_t i = 0; i < entries.size(); ++i) {
    Judged j = Judge(entries[i]);
    r.state = j.state;
    int poll = static_cast<int>(i) + 1;
    if (j.acceptor == Acceptor::kRetry) continue;
    r.attempts = poll;
    if (j.acceptor == Acceptor::kUnreadable) {
      r.end = WaiterLintResult::End::kUnreadable;
      r.message = "answer " + std::to_string(poll) + " (HTTP " + std::to_string(entries[i].status) +
                  ") is not a JSON object: the waiter cannot read it";
      return r;
    }
    if (poll > config.max_attempts) {
      r.end = WaiterLintResult::End::kGivesUp;
      r.message = "the waiter gives up after " + std::to_string(config.max_attempts) + " polls" + timing +
                  ", before the recorded " + j.state + " at poll " + std::to_string(poll);
      return r;
    }
    std::string after = " at poll " + std::to_string(poll) + ", after " +
                        std::to_string((poll - 1) * config.delay_s) + " s of waiting";
    if (j.acceptor == Acceptor::kSuccess) {
      r.end = WaiterLintResult::End::kSuccess;
      r.message = "the waiter succeeds on " + j.state + after;
    } else if (j.acceptor == Acceptor::kFailure) {
      r.end = WaiterLintResult::End::kFailure;
      r.message = "the waiter fails on the recorded " + j.state + after;
    } else {
      r.end = WaiterLintResult::End::kError;
      r.message = "the waiter stops on error " + j.state + after;
    }
    return r;
  }
  // Every recorded answer retries, and replay repeats the last one forever.
  r.end = WaiterLintResult::End::kNeverTerminal;
  r.attempts = config.max_attempts;
  r.message = "never reaches a terminal state: the last of " + std::to_string(entries.size()) +
              " answers is " + r.state + ", so the waiter retries until it gives up" + timing;
  return r;
}

}  // namespace ssm
