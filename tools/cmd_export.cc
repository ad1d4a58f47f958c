// ssm-replay export: every tape of a store as tape files, the inverse of import.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tools/cli_util.h"
#include "tools/command.h"
#include "store/tape_file/tape_file.h"

namespace ssm {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  std::string store, out;
  std::string command_id;
};

void RunExport(const ExportOptions& o) {
  auto store = OpenStoreOrFail("export", o.store, /*read_only=*/true);
  TapeFilter filter;
  if (!o.command_id.empty()) filter.command_id = o.command_id;
  auto tapes = store->ListTapes(filter);
  if (!tapes.ok()) Fail("export", tapes.status().message());
  Progress progress("exporting");
  uint64_t done = 0;
  for (const auto& info : *tapes) {
    auto tape = store->ReadTape(info.key);
    if (!tape.ok()) Fail("export", tape.status().message() + " (run `ssm-replay verify`)");
    fs::path path = fs::path(o.out) / TapeFileName(info.key);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) Fail("export", "cannot create " + path.parent_path().string() + ": " + ec.message());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << FormatTapeFile(*tape);
    out.close();
    if (!out) Fail("export", "cannot write " + path.string());
    progress.Update(++done, tapes->size());
  }
  std::cout << "exported " << done << " tapes to " << o.out << "\n";
}

CommandRegistration registration(11, [](CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export", "Write every tape as a JSON tape file (the format import reads)");
  AddStoreOption(cmd, &o->store);
  cmd->add_option("--out", o->out, "Folder to write to (created if missing)")->required();
  cmd->add_option("--command-id", o->command_id, "Only the tapes of this CommandId");
  cmd->callback([o] { RunExport(*o); });
});

}  // namespace
}  // namespace ssm
