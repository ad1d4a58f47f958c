// Subcommands of build/ssm-replay. Each lives in its own tools/cmd_<name>.cc and registers itself
// with a file-scope `CommandRegistration`, so adding one touches no other file. (tools/ is linked
// as an object library, so these registrations are never dropped by the linker.)
#ifndef SSM_REPLAY_TOOLS_COMMAND_H_
#define SSM_REPLAY_TOOLS_COMMAND_H_

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace ssm {

// Adds the subcommand to `app`. The callback it sets on the subcommand runs the command; it
// reports failure by throwing CLI::RuntimeError(exit_code) after printing the reason to stderr.
using CommandSetup = std::function<void(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

// Registered commands, in `order`.
std::vector<CommandSetup> RegisteredCommands();

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_COMMAND_H_
