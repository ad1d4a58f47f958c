// ssm-replay verify: decode every record; name each bad tape.
#include <iostream>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

void RunVerify(const std::string& dir) {
  auto store = OpenStoreOrFail("verify", dir, StoreAccess::kRead);
  Progress progress("verifying tapes");
  uint64_t total = 0;
  auto bad = store->Verify(
      [](const std::string& tape, const Status& problem) {
        std::cerr << "BAD " << tape << ": " << problem.message() << "\n";
      },
      [&](uint64_t done, uint64_t all) {
        total = all;
        progress.Update(done, all);
      });
  if (!bad.ok()) Fail("verify", bad.status().message());
  if (*bad) {
    Fail("verify", std::to_string(*bad) + " of " + std::to_string(total) +
                       " tapes are damaged (listed above): delete them (`ssm-replay delete`) and re-import or "
                       "record them again");
  }
  std::cout << "verified " << total << " tapes: OK\n";
}

CommandRegistration registration(15, [](CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("verify", "Decode every record; exit 1 naming each damaged tape");
  AddStoreOption(cmd, dir.get(), StoreAccess::kRead);
  cmd->callback([dir] { RunVerify(*dir); });
});

}  // namespace
}  // namespace ssm
