// ssm-replay compact: LMDB's compacting copy, to reclaim the space of deleted tapes.
#include <iostream>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct CompactOptions {
  std::string store, out;
};

void RunCompact(const CompactOptions& o) {
  auto store = OpenStoreOrFail("compact", o.store, StoreAccess::kRead);
  Status s = store->CopyCompact(o.out);
  if (!s.ok()) Fail("compact", s.message());
  std::cout << "wrote a compacted copy of " << o.store << " to " << o.out << "\n";
}

CommandRegistration registration(17, [](CLI::App& app) {
  auto o = std::make_shared<CompactOptions>();
  auto* cmd = app.add_subcommand("compact", "Write a compacted copy of the store (free pages dropped)");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  cmd->add_option("--out", o->out, "New, empty directory for the copy")->required();
  cmd->callback([o] { RunCompact(*o); });
});

}  // namespace
}  // namespace ssm
