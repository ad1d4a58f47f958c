// ssm-replay export: the tapes of a store (all, or those list's filters pick) as tape files, the inverse
// of import.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "store/tape_file/tape_file.h"
#include "tools/cli_util.h"
#include "tools/command.h"
#include "tools/filter_options.h"

namespace ssm {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  std::string store, out;
  FilterOptions filter;
  bool force = false;
};

// Fails unless `out` is missing, an empty folder, or --force was given for a folder.
void CheckOutFolder(const ExportOptions& o) {
  std::error_code ec;
  fs::file_status status = fs::status(o.out, ec);
  if (!fs::exists(status)) return;
  if (!fs::is_directory(status)) Fail("export", "--out " + o.out + " exists and is not a folder");
  if (o.force) return;
  bool empty = fs::is_empty(o.out, ec);
  if (ec) Fail("export", "cannot read --out " + o.out + ": " + ec.message());
  if (!empty) {
    Fail("export", "--out " + o.out +
                       " is not empty: export into a new or empty folder, or pass --force to overwrite the tape "
                       "files there (other files are left as they are)");
  }
}

void RunExport(const ExportOptions& o) {
  Result<TapeFilter> filter = o.filter.Filter();
  if (!filter.ok()) Fail("export", filter.status().message());
  auto store = OpenStoreOrFail("export", o.store, StoreAccess::kRead);
  CheckOutFolder(o);
  auto tapes = store->ListTapes(*filter);
  if (!tapes.ok()) Fail("export", tapes.status().message());
  Progress progress("exporting");
  auto fail = [&](const std::string& message) {
    progress.Clear();
    Fail("export", message);
  };
  uint64_t done = 0;
  for (const auto& info : *tapes) {
    auto tape = store->ReadTape(info.key);
    if (!tape.ok()) fail(tape.status().message() + " (run `ssm-replay verify`)");
    fs::path path = fs::path(o.out) / TapeFileName(info.key);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) fail("cannot create " + path.parent_path().string() + ": " + ec.message());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << FormatTapeFile(*tape);
    out.close();
    if (!out) fail("cannot write " + path.string());
    progress.Update(++done, tapes->size());
  }
  progress.Clear();
  std::cout << "exported " << done << " tapes to " << o.out << "\n";
}

CommandRegistration registration(11, [](CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand(
      "export", "Write tapes as JSON tape files (the format import reads): every tape, or those the filters pick");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  cmd->add_option("--out", o->out, "Folder to write to: new or empty (created if missing)")->required();
  cmd->add_flag("--force", o->force, "Write into a folder that is not empty, replacing tape files of the same name");
  o->filter.AddTo(cmd);
  cmd->callback([o] { RunExport(*o); });
});

}  // namespace
}  // namespace ssm
