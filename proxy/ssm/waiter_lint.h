// WaiterLint: plays a GetCommandInvocation tape the way botocore's `command_executed` waiter polls
// it (sequence order: the n-th poll gets the n-th answer, the last repeats) and says how the waiter
// ends, so `ssm-replay lint` can warn about tapes a default waiter would never finish or give up on.
//
// The waiter's acceptors (botocore data/ssm/2014-11-06/waiters-2.json, CommandExecuted):
//   Status Pending, InProgress, Delayed: retry;  Success: success;
//   Cancelled, TimedOut, Failed, Cancelling: failure;  error InvocationDoesNotExist: retry.
// An answer no acceptor matches retries, unless it is an error: then the waiter stops with it.
// Default: 20 attempts, 5 s apart.
#ifndef SSM_REPLAY_PROXY_SSM_WAITER_LINT_H_
#define SSM_REPLAY_PROXY_SSM_WAITER_LINT_H_

#include <string>

#include "store/tape.h"

namespace ssm {

struct WaiterConfig {
  int max_attempts = 20;
  int delay_s = 5;
};

struct WaiterLintResult {
  enum class End {
    kSuccess,        // reaches Success within max_attempts
    kFailure,        // reaches a failure state (Failed, TimedOut, ...) within max_attempts
    kError,          // stops on an error answer other than InvocationDoesNotExist
    kNeverTerminal,  // the last recorded answer still retries: polls never end
    kGivesUp,        // a terminal answer is recorded, but after max_attempts polls
    kUnreadable,     // an answer is not the JSON the waiter expects
  };
  End end = End::kNeverTerminal;
  int attempts = 0;     // polls until the end (kSuccess, kFailure, kError), or the terminal poll
  std::string state;    // the Status or error code that ended it (or the last one seen)
  std::string message;  // one line for people

  bool warning() const {
    return end == End::kNeverTerminal || end == End::kGivesUp || end == End::kUnreadable;
  }
};

WaiterLintResult LintCommandExecuted(const Tape& tape, const WaiterConfig& config = {});

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_WAITER_LINT_H_
