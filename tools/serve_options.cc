#include "tools/serve_options.h"

namespace ssm {

void AddSessionOptions(CLI::App* cmd, SessionArgs* args) {
  const char* group = "Sessions (parallel tests, each on its own timeline) and polls";
  cmd->add_option("--polls", args->polls,
                  "How GetCommandInvocation tapes replay. recorded: every recorded poll in turn; collapse: "
                  "consecutive polls with the same outcome (Status, or error type) answered once, so a "
                  "waiter sees each state once; final: every call gets the terminal answer. Per session: "
                  "POST /__replay/sessions")
      ->check(CLI::IsMember({"recorded", "collapse", "final"}))
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--shift-times", args->shift_times,
                "Move every date of a replayed answer by one offset per tape and session, so the tape's "
                "first answer is dated at the session's first call on it (spacing kept)")
      ->group(group);
  cmd->add_option("--session-ttl", args->ttl_s,
                  "Seconds a named session lives without use; then it is dropped (its next call starts it anew)")
      ->check(CLI::Range(int64_t{1}, int64_t{30} * 24 * 3600))
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--max-sessions", args->max_sessions,
                  "Named sessions live at once; a new one beyond gets 429 ThrottlingException")
      ->check(CLI::Range(size_t{1}, size_t{1000000}))
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--session-from-access-key", args->from_access_key,
                "A call with no X-Ssm-Replay-Session header and no /session/NAME path walks the session "
                "named by its access key id (AWS_ACCESS_KEY_ID=test-17 isolates a test)")
      ->group(group);
}

SessionLimits SessionLimitsOf(const SessionArgs& args) {
  SessionLimits limits;
  limits.max_sessions = args.max_sessions;
  limits.ttl_ms = args.ttl_s * 1000;
  return limits;
}

Result<SessionSettings> SessionDefaultsOf(const SessionArgs& args) {
  Result<PollPolicy> polls = ParsePollPolicy(args.polls);
  if (!polls.ok()) return polls.status();
  SessionSettings settings;
  settings.polls = polls.value();
  settings.shift_times = args.shift_times;
  return settings;
}

void AddForwardingOptions(CLI::App* cmd, ForwardingArgs* args) {
  const char* group = "Forwarding (record, auto, passthrough)";
  cmd->add_option("--region", args->region,
                  "AWS region to forward to and sign for (else AWS_REGION, else AWS_DEFAULT_REGION, else "
                  "the profile's region)")
      ->group(group);
  cmd->add_option("--profile", args->profile,
                  "Profile of ~/.aws/config and ~/.aws/credentials to take credentials and region from "
                  "(else AWS_PROFILE, else default); like the AWS CLI's --profile, it also makes the "
                  "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables be ignored")
      ->group(group);
  cmd->add_option("--upstream", args->upstream,
                  "Upstream base URL (default https://ssm.<region>.amazonaws.com; http:// allowed for "
                  "local emulators such as moto)")
      ->group(group);
  cmd->add_option("--ca-file", args->ca_file,
                  "PEM bundle of CA certificates to verify an https upstream with (default: the system's)")
      ->check(CLI::ExistingFile)
      ->group(group);
  cmd->add_option("--upstream-timeout", args->upstream_timeout_s,
                  "Seconds to wait for upstream to connect, and at most between bytes of its answer; "
                  "then the client gets 504")
      ->check(CLI::PositiveNumber)
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--append", args->append,
                "record/auto: keep a tape's older entries (default: the first call for a key in a run "
                "replaces its tape, later calls append)")
      ->group(group);
  cmd->add_flag("--no-fsync", args->no_fsync,
                "record/auto: commit recordings without fsync. Default: each group commit is synced to "
                "disk before its clients are answered, so an answered call survives even power loss; with "
                "--no-fsync it survives ssm-replay being killed but not an OS crash, and recording adds "
                "far less latency (no disk sync per commit)")
      ->group(group);
  cmd->add_option_function<std::string>(
         "--on-store-error",
         [args](const std::string& value) { args->forward_on_store_error = value == "forward"; },
         "record/auto: what a call gets when its answer cannot be recorded (disk full, store map full, "
         "read-only store). fail (default): an AWS-shaped error, so every answered call is on tape; "
         "forward: AWS's real answer anyway, the failure logged, counted in metrics, and "
         "/__replay/health says degraded (recommended in front of production)")
      ->check(CLI::IsMember({"fail", "forward"}))
      ->default_str("fail")
      ->group(group);
  cmd->add_option("--redact", args->redact,
                  "Extra regular expression (RE2 syntax) whose matches are replaced by [REDACTED] before "
                  "anything is stored; repeatable. Access key ids, presigned-URL credentials and "
                  "signatures, and the operator's own credentials are always redacted")
      ->allow_extra_args(false)
      ->group(group);
}

void AddFaultOptions(CLI::App* cmd, FaultArgs* args) {
  cmd->add_option("--fault", args->specs,
                  "Inject faults (replay and auto modes), KIND=VALUE parts separated by commas, "
                  "repeatable: throttle=P (400 ThrottlingException), error500=P (500 InternalServerError), "
                  "reset=P (connection closed, no answer), delay=MS or delay=MIN-MAX, notfound-first=N "
                  "(first N polls of each GetCommandInvocation tape answer InvocationDoesNotExist); "
                  "P from 0 to 1 or N%. E.g. --fault throttle=0.2,delay=5-20,notfound-first=2")
      ->expected(1)
      ->take_all();
  cmd->add_option_function<uint64_t>(
      "--seed",
      [args](const uint64_t& seed) {
        args->seed = seed;
        args->seed_given = true;
      },
      "Seed of --fault's decisions (default 0): the same seed and the same calls per tape give the same "
      "faults");
}

Result<std::optional<FaultSpec>> ParseFaultArgs(const FaultArgs& args, const std::string& mode_name) {
  if (args.specs.empty()) {
    if (args.seed_given)
      return Status::InvalidArgument("--seed only applies to --fault: give --fault SPEC too");
    return std::optional<FaultSpec>();
  }
  if (mode_name != "replay" && mode_name != "auto") {
    return Status::InvalidArgument("--fault works in --mode replay and auto only: " + mode_name +
                                   " mode forwards every call to AWS; record first, then inject faults "
                                   "while replaying the tapes");
  }
  Result<FaultSpec> spec = FaultSpec::Parse(args.specs);
  if (!spec.ok()) return spec.status();
  return std::optional<FaultSpec>(spec.value());
}

}  // namespace ssm
