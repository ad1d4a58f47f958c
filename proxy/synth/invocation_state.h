// InvocationState: what one GetCommandInvocation poll answers -- a Status of the invocation, or the
// InvocationDoesNotExist error AWS gives right after SendCommand -- and the `--states` list of them.
#ifndef SSM_REPLAY_PROXY_SYNTH_INVOCATION_STATE_H_
#define SSM_REPLAY_PROXY_SYNTH_INVOCATION_STATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace ssm {

enum class InvocationState {
  kInvocationDoesNotExist,
  kPending,
  kInProgress,
  kDelayed,
  kSuccess,
  kFailed,
  kCancelled,
  kCancelling,
  kTimedOut,
};

// The name as AWS writes it ("InProgress", "InvocationDoesNotExist", ...).
const char* StateName(InvocationState state);

// "InvocationDoesNotExist, Pending, InProgress, ...": every valid name, for error messages.
std::string ValidStateNames();

// Success, Failed, Cancelled, TimedOut: AWS never answers anything else for the invocation after one.
bool IsTerminal(InvocationState state);

// InProgress or Cancelling: the plugin is running, so the answer carries ExecutionStartDateTime.
bool IsRunning(InvocationState state);

// Parses a comma-separated list of state names, each optionally repeated with `*N` ("InProgress*3"),
// and checks it is an order AWS can answer in: InvocationDoesNotExist only first, Pending/Delayed
// before InProgress, Cancelling only before Cancelled, a terminal state only last. InvalidArgument
// naming `option` (e.g. "--states") and the valid names otherwise.
Result<std::vector<InvocationState>> ParseStateList(std::string_view list, const std::string& option);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_INVOCATION_STATE_H_
