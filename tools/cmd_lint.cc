// `ssm-replay lint`: checks GetCommandInvocation tapes against the SDK waiter (proxy/ssm/waiter_lint.h).
#include <iostream>
#include <string>

#include "store/tape_key.h"
#include "tools/cli_util.h"
#include "tools/command.h"
#include "proxy/ssm/waiter_lint.h"

namespace ssm {
namespace {

struct LintArgs {
  std::string store;
  WaiterConfig waiter;
  bool quiet = false;
};

// Exit codes: 0 every tape ends the waiter in time; 1 at least one warning; 2 a tape or the store
// could not be read.
void RunLint(const LintArgs& args) {
  auto store = OpenStoreOrFail("lint", args.store, StoreAccess::kRead);
  TapeFilter filter;
  filter.action = kGetCommandInvocation;
  auto tapes = store->ListTapes(filter);
  if (!tapes.ok()) Fail("lint", tapes.status().message(), 2);
  size_t warnings = 0, unreadable = 0, checked = 0;
  for (const TapeInfo& info : tapes.value()) {
    if (!info.key.is_invocation()) continue;
    ++checked;
    auto tape = store->ReadTape(info.key);
    if (!tape.ok()) {
      ++unreadable;
      std::cout << "ERROR " << info.key.Describe() << ": " << tape.status().ToString() << "\n";
      continue;
    }
    WaiterLintResult r = LintCommandExecuted(tape.value(), args.waiter);
    if (r.warning()) {
      ++warnings;
      std::cout << "WARN  " << info.key.Describe() << ": " << r.message << "\n";
    } else if (!args.quiet) {
      std::cout << "ok    " << info.key.Describe() << ": " << r.message << "\n";
    }
  }
  std::cout << checked << " GetCommandInvocation tape" << (checked == 1 ? "" : "s") << " checked against "
            << "command_executed (" << args.waiter.max_attempts << " attempts x " << args.waiter.delay_s
            << " s): " << warnings << " warning" << (warnings == 1 ? "" : "s");
  if (unreadable > 0) std::cout << ", " << unreadable << " unreadable";
  std::cout << "\n";
  if (unreadable > 0) throw CLI::RuntimeError(2);
  if (warnings > 0) throw CLI::RuntimeError(1);
}

CommandRegistration registration(40, [](CLI::App& app) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = app.add_subcommand(
      "lint",
      "Check each GetCommandInvocation tape against boto's command_executed waiter: warn about tapes that "
      "never reach a terminal state or that a default waiter gives up on.\n"
      "Exit status: 0 no warnings; 1 warnings; 2 a tape or the store could not be read.");
  AddStoreOption(cmd, &args->store, StoreAccess::kRead);
  cmd->add_option("--max-attempts", args->waiter.max_attempts, "Waiter attempts (botocore default 20)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cmd->add_option("--delay", args->waiter.delay_s, "Seconds between attempts (botocore default 5)")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", args->quiet, "Print only warnings and the summary");
  cmd->callback([args] { RunLint(*args); });
});

}  // namespace
}  // namespace ssm
