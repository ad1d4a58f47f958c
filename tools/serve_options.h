// The option groups of `serve` that configure a mode: forwarding (record, auto, passthrough:
// proxy/modes/forwarding_modes.h) and fault injection (`--fault SPEC --seed N`: proxy/modes/fault_spec.h
// for SPEC, proxy/modes/fault_mode.h for what is injected and the determinism guarantee).
#ifndef SSM_REPLAY_TOOLS_SERVE_OPTIONS_H_
#define SSM_REPLAY_TOOLS_SERVE_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "proxy/modes/fault_spec.h"
#include "proxy/modes/forwarding_modes.h"
#include "proxy/replay/session_registry.h"
#include "store/status.h"

namespace ssm {

struct FaultArgs {
  std::vector<std::string> specs;  // each --fault value; repeatable
  uint64_t seed = 0;
  bool seed_given = false;
};

// Sessions (proxy/replay/session_registry.h) and how they replay polls and dates.
struct SessionArgs {
  std::string polls = "recorded";  // --polls
  bool shift_times = false;        // --shift-times
  int64_t ttl_s = 1800;            // --session-ttl
  size_t max_sessions = 10000;     // --max-sessions
  bool from_access_key = false;    // --session-from-access-key
};

// Adds --polls, --shift-times, --session-ttl, --max-sessions, --session-from-access-key to `serve`.
void AddSessionOptions(CLI::App* cmd, SessionArgs* args);
SessionLimits SessionLimitsOf(const SessionArgs& args);
// The settings a session starts with (and the default session has).
Result<SessionSettings> SessionDefaultsOf(const SessionArgs& args);

// Adds --region, --profile, --upstream, --ca-file, --upstream-timeout, --append, --no-fsync, --redact to `serve`.
void AddForwardingOptions(CLI::App* cmd, ForwardingArgs* args);

// Adds --fault and --seed to `cmd`.
void AddFaultOptions(CLI::App* cmd, FaultArgs* args);

// The faults to inject in `mode_name`, or nullopt when none were asked for. InvalidArgument naming
// the bad part of a SPEC, for --seed without --fault, and for modes that cannot inject (record and
// passthrough answer from AWS, not from tapes).
Result<std::optional<FaultSpec>> ParseFaultArgs(const FaultArgs& args, const std::string& mode_name);

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_SERVE_OPTIONS_H_
