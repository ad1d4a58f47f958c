// build/ssm-replay: record and replay the AWS Systems Manager API.
#include <CLI/CLI.hpp>

#include "tools/command.h"

int main(int argc, char** argv) {
  CLI::App app{"ssm-replay: record and replay AWS Systems Manager (SSM) API calls"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ssm-replay 0.1.0");
  for (const auto& setup : ssm::RegisteredCommands()) setup(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
