#include "tools/serve_faults.h"

namespace ssm {

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
