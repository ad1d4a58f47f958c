// ssm-replay import: tape files (fixtures, exports) into a store.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <thread>

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

Result<Tape> ReadTapeFile(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("cannot read " + file.string());
  return ParseTapeFile(text.str(), file.string());
}

// Reads and parses files [begin, end) on all cores; results in file order.
std::vector<Result<Tape>> ReadChunk(const std::vector<fs::path>& files, size_t begin, size_t end) {
  std::vector<Result<Tape>> out(end - begin, Result<Tape>(Status::NotFound("not read")));
  size_t workers = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (size_t i = begin + w; i < end; i += workers) out[i - begin] = ReadTapeFile(files[i]);
    });
  }
  for (auto& t : threads) t.join();
  return out;
}

void RunImport(const ImportOptions& o) {
  auto files = CollectFiles(o.paths);
  if (!files.ok()) Fail("import", files.status().message());
  auto store = OpenStoreOrFail("import", o.store, /*read_only=*/false);

  // Parsing the next chunk overlaps with writing this one (the store has a single writer).
  constexpr size_t kTapesPerTransaction = 2000;
  uint64_t tapes = 0, interactions = 0, bad = 0;
  Progress progress("importing");
  auto chunk_at = [&](size_t begin) {
    return std::async(std::launch::async, ReadChunk, std::cref(*files), begin,
                      std::min(begin + kTapesPerTransaction, files->size()));
  };
  auto next = chunk_at(0);
  for (size_t begin = 0; begin < files->size(); begin += kTapesPerTransaction) {
    std::vector<Result<Tape>> parsed = next.get();
    if (begin + kTapesPerTransaction < files->size()) next = chunk_at(begin + kTapesPerTransaction);
    WriteBatch batch;
    for (auto& tape : parsed) {
      if (!tape.ok()) {
        std::cerr << "ssm-replay import: skipped " << tape.status().message() << "\n";
        ++bad;
        continue;
      }
      ++tapes;
      interactions += tape->interactions.size();
      batch.ReplaceTape(tape->key, std::move(tape->interactions));
    }
    Status s = store->Write(batch);
    if (!s.ok()) Fail("import", "writing to the store failed: " + s.message() + " (tapes imported so far are kept)");
    progress.Update(std::min(begin + kTapesPerTransaction, files->size()), files->size());
  }
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
