// ssm-replay compact: the store in key order, every page full (free pages dropped), as a copy in a
// new directory or swapped in place of the store.
#include <iostream>

#include "store/compact_in_place.h"
#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct CompactOptions {
  std::string store, out;
  bool in_place = false;
};

void RunInPlace(const CompactOptions& o) {
  auto compaction = CompactInPlace(OpenStoreOrFail("compact", o.store, StoreAccess::kRead));
  if (!compaction.ok()) Fail("compact", compaction.status().message());
  if (!compaction->rewritten) Fail("compact", o.store + " left as it is: " + compaction->not_rewritten_because);
  PrintRewritten(o.store, *compaction);
}

void RunCompact(const CompactOptions& o) {
  if (o.in_place == !o.out.empty()) Fail("compact", "give either --out DIR (a copy) or --in-place");
  if (o.in_place) return RunInPlace(o);
  auto store = OpenStoreOrFail("compact", o.store, StoreAccess::kRead);
  Status s = store->CopyCompact(o.out);
  if (!s.ok()) Fail("compact", s.message());
  std::cout << "wrote a compacted copy of " << o.store << " to " << o.out << "\n";
}

CommandRegistration registration(17, [](CLI::App& app) {
  auto o = std::make_shared<CompactOptions>();
  auto* cmd = app.add_subcommand("compact", "Rewrite the store in key order, every page full (free pages dropped): "
                                            "a copy (--out) or in place (--in-place)");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  cmd->add_option("--out", o->out, "New, empty directory for the copy");
  cmd->add_flag("--in-place", o->in_place,
                "Swap the rewritten store in place of the old one (only when no other process has it open; "
                "safe against a crash at any point)");
  cmd->callback([o] { RunCompact(*o); });
});

}  // namespace
}  // namespace ssm
