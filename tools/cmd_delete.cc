// ssm-replay delete: remove one tape, or every tape of a CommandId.
#include <iostream>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct DeleteOptions {
  std::string store;
  TapeKeyOptions key;
  bool all_of_command = false;
};

void RunDelete(const DeleteOptions& o) {
  auto store = OpenStoreOrFail("delete", o.store, StoreAccess::kWrite);
  WriteBatch batch;
  if (o.all_of_command) {
    if (o.key.command_id.empty()) Fail("delete", "--all-of-command needs --command-id");
    TapeFilter filter;
    filter.command_id = o.key.command_id;
    auto tapes = store->ListTapes(filter);
    if (!tapes.ok()) Fail("delete", tapes.status().message());
    for (const auto& t : *tapes) batch.DeleteTape(t.key);
  } else {
    auto key = o.key.Key(*store);
    if (!key.ok()) Fail("delete", key.status().message());
    // Whether it exists, decoding one record rather than the whole tape.
    auto found = store->ReadTapeEntry(*key, [](size_t length) { return length - 1; });
    if (!found.ok() && found.status().IsNotFound()) Fail("delete", found.status().message());
    batch.DeleteTape(*key);  // a damaged tape is deleted too: that is how one gets rid of it
  }
  if (batch.empty()) Fail("delete", "no tapes of CommandId " + o.key.command_id);
  Status s = store->Write(batch);
  if (!s.ok()) Fail("delete", s.message());
  for (const auto& e : batch.entries()) std::cout << "deleted " << e.key.Describe() << "\n";
}

CommandRegistration registration(16, [](CLI::App& app) {
  auto o = std::make_shared<DeleteOptions>();
  auto* cmd = app.add_subcommand("delete", "Delete a tape (or, with --all-of-command, every tape of a CommandId)");
  AddStoreOption(cmd, &o->store, StoreAccess::kWrite);
  o->key.AddTo(cmd);
  cmd->add_flag("--all-of-command", o->all_of_command, "Delete every tape of --command-id");
  cmd->callback([o] { RunDelete(*o); });
});

}  // namespace
}  // namespace ssm
