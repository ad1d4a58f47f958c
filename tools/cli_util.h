// Helpers shared by the subcommands: opening the store, failing with a message, progress lines,
// and the options that name one tape.
#ifndef SSM_REPLAY_TOOLS_CLI_UTIL_H_
#define SSM_REPLAY_TOOLS_CLI_UTIL_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "store/compact_in_place.h"
#include "store/status.h"
#include "store/tape_key.h"
#include "store/tape_store.h"

namespace ssm {

// Prints "ssm-replay <command>: <message>" to stderr and ends the command with `exit_code`.
[[noreturn]] void Fail(const std::string& command, const std::string& message, int exit_code = 1);

// How a command uses its store. Only kCreate makes one (0700) where none is.
enum class StoreAccess { kRead, kWrite, kCreate };

// Opens the store or fails the command with the store's message.
std::unique_ptr<TapeStore> OpenStoreOrFail(const std::string& command, const std::string& dir, StoreAccess access);

// Adds the usual `--store DIR` option (required) to `cmd`; its help says whether a new one is created.
void AddStoreOption(CLI::App* cmd, std::string* dir, StoreAccess access);

// "1.2 MiB"-style sizes for people.
std::string HumanBytes(uint64_t bytes);

// "rewrote DIR in key order: data.mdb A -> B" on stdout, after `compaction` rewrote the store in DIR.
void PrintRewritten(const std::string& dir, const InPlaceCompaction& compaction);

// A progress line on stderr, redrawn at most ten times a second, only when stderr is a terminal.
class Progress {
 public:
  explicit Progress(std::string what);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();  // clears the line

  void Update(uint64_t done, uint64_t total = 0);
  // Erases the line, so that what is printed next starts on a clean one; the next Update draws again.
  void Clear();

 private:
  std::string what_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_;
};

// --command-id/--instance-id/--plugin-name, --action/--request, or --hash: the options that name a tape.
struct TapeKeyOptions {
  std::string command_id, instance_id, action, request, hash;
  std::optional<std::string> plugin_name;

  void AddTo(CLI::App* cmd);
  // The tape named, or an InvalidArgument saying which options to give. A --hash is looked up in
  // `store` (tools/tape_hash.h).
  Result<TapeKey> Key(const TapeStore& store) const;
};

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_CLI_UTIL_H_
