// ssm-replay import: tape files (fixtures, exports) into a store.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tools/cli_util.h"
#include "tools/command.h"
#include "tools/tape_file.h"

namespace ssm {
namespace {

namespace fs = std::filesystem;

struct ImportOptions {
  std::string store;
  std::vector<std::string> paths;
};

// Files to import under `paths`: each file named, and every *.json below each folder, sorted so
// that imports are reproducible.
Result<std::vector<fs::path>> CollectFiles(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") found.push_back(it->path());
      }
      if (ec) return Status::IOError("cannot read folder " + p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      return Status::NotFound(p + ": no such file or folder");
    }
  }
  return files;
}

void RunImport(const ImportOptions& o) {
  auto files = CollectFiles(o.paths);
  if (!files.ok()) Fail("import", files.status().message());
  auto store = OpenStoreOrFail("import", o.store, /*read_only=*/false);

  constexpr size_t kTapesPerTransaction = 2000;
  WriteBatch batch;
  uint64_t tapes = 0, interactions = 0, bad = 0;
  Progress progress("importing");
  auto flush = [&] {
    if (batch.empty()) return;
    Status s = store->Write(batch);
    if (!s.ok()) Fail("import", "writing to the store failed: " + s.message() + " (tapes imported so far are kept)");
    batch.Clear();
  };
  for (size_t n = 0; n < files->size(); ++n) {
    const fs::path& file = (*files)[n];
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "ssm-replay import: cannot read " << file.string() << "\n";
      ++bad;
      continue;
    }
    auto tape = ParseTapeFile(text.str(), file.string());
    if (!tape.ok()) {
      std::cerr << "ssm-replay import: skipped " << tape.status().message() << "\n";
      ++bad;
      continue;
    }
    ++tapes;
    interactions += tape->interactions.size();
    batch.ReplaceTape(tape->key, std::move(tape->interactions));
    if (batch.size() >= kTapesPerTransaction) flush();
    progress.Update(n + 1, files->size());
  }
  flush();
  std::cout << "imported " << tapes << " tapes (" << interactions << " interactions) into " << o.store << "\n";
  if (bad) Fail("import", std::to_string(bad) + " file(s) could not be imported (see above); the rest were");
}

CommandRegistration registration(10, [](CLI::App& app) {
  auto o = std::make_shared<ImportOptions>();
  auto* cmd = app.add_subcommand("import", "Import tape files (JSON, one tape each) or folders of them; "
                                           "re-importing a tape replaces it");
  AddStoreOption(cmd, &o->store);
  cmd->add_option("paths", o->paths, "Tape files or folders (searched for *.json)")->required();
  cmd->callback([o] { RunImport(*o); });
});

}  // namespace
}  // namespace ssm
