#include "proxy/synth/invocation_state.h"

#include <cctype>
#include <cstdlib>

namespace ssm {
namespace {

constexpr InvocationState kAll[] = {
    InvocationState::kInvocationDoesNotExist, InvocationState::kPending,   InvocationState::kInProgress,
    InvocationState::kDelayed,                InvocationState::kSuccess,   InvocationState::kFailed,
    InvocationState::kCancelled,              InvocationState::kCancelling, InvocationState::kTimedOut,
};

// A list longer than this is a typo (`*1000000`), not a scenario: a waiter polls 20 times by default.
constexpr long kMaxPolls = 10000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Where in AWS's life of an invocation a state belongs; a list may only go forward.
int Phase(InvocationState s) {
  switch (s) {
    case InvocationState::kInvocationDoesNotExist: return 0;
    case InvocationState::kPending:
    case InvocationState::kDelayed: return 1;
    case InvocationState::kInProgress: return 2;
    case InvocationState::kCancelling: return 3;
    default: return 4;
  }
}

Result<InvocationState> ParseName(std::string_view name, const std::string& option) {
  for (InvocationState s : kAll) {
    if (name == StateName(s)) return s;
  }
  return Status::InvalidArgument(option + ": unknown state '" + std::string(name) + "'; valid states: " +
                                 ValidStateNames() + " (each optionally followed by *N)");
}

Status CheckOrder(const std::vector<InvocationState>& states, const std::string& option) {
  for (size_t i = 1; i < states.size(); ++i) {
    InvocationState before = states[i - 1], now = states[i];
    std::string pair = std::string(StateName(before)) + " then " + StateName(now);
    if (IsTerminal(before)) {
      return Status::InvalidArgument(option + ": " + pair + ": " + StateName(before) +
                                     " is terminal, AWS answers it for every later poll; end the list there");
    }
    if (Phase(now) < Phase(before)) {
      return Status::InvalidArgument(option + ": " + pair + ": an invocation never goes back; the order is "
                                     "InvocationDoesNotExist, Pending/Delayed, InProgress, Cancelling, then one of "
                                     "Success, Failed, Cancelled, TimedOut");
    }
    if (before == InvocationState::kCancelling && now != InvocationState::kCancelling &&
        now != InvocationState::kCancelled) {
      return Status::InvalidArgument(option + ": " + pair + ": a Cancelling invocation ends Cancelled");
    }
  }
  return Status::OK();
}

}  // namespace

const char* StateName(InvocationState state) {
  switch (state) {
    case InvocationState::kInvocationDoesNotExist: return "InvocationDoesNotExist";
    case InvocationState::kPending: return "Pending";
    case InvocationState::kInProgress: return "InProgress";
    case InvocationState::kDelayed: return "Delayed";
    case InvocationState::kSuccess: return "Success";
    case InvocationState::kFailed: return "Failed";
    case InvocationState::kCancelled: return "Cancelled";
    case InvocationState::kCancelling: return "Cancelling";
    case InvocationState::kTimedOut: return "TimedOut";
  }
  return "?";
}

std::string ValidStateNames() {
  std::string out;
  for (InvocationState s : kAll) out += (out.empty() ? "" : ", ") + std::string(StateName(s));
  return out;
}

bool IsTerminal(InvocationState state) { return Phase(state) == 4; }

bool IsRunning(InvocationState state) {
  return state == InvocationState::kInProgress || state == InvocationState::kCancelling;
}

Result<std::vector<InvocationState>> ParseStateList(std::string_view list, const std::string& option) {
  std::vector<InvocationState> states;
  if (Trim(list).empty()) {
    return Status::InvalidArgument(option + ": empty; give a comma-separated list of " + ValidStateNames());
  }
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    long repeat = 1;
    size_t star = item.find('*');
    if (star != std::string_view::npos) {
      std::string count(Trim(item.substr(star + 1)));
      char* end = nullptr;
      repeat = count.empty() ? 0 : std::strtol(count.c_str(), &end, 10);
      if (count.empty() || *end != '\0' || repeat < 1 || repeat > kMaxPolls) {
        return Status::InvalidArgument(option + ": '" + std::string(item) + "': *N needs a whole number from 1 to " +
                                       std::to_string(kMaxPolls));
      }
      item = Trim(item.substr(0, star));
    }
    auto state = ParseName(item, option);
    if (!state.ok()) return state.status();
    if (states.size() + static_cast<size_t>(repeat) > static_cast<size_t>(kMaxPolls)) {
      return Status::InvalidArgument(option + ": more than " + std::to_string(kMaxPolls) + " polls");
    }
    states.insert(states.end(), static_cast<size_t>(repeat), *state);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  Status order = CheckOrder(states, option);
  if (!order.ok()) return order;
  return states;
}

}  // namespace ssm
