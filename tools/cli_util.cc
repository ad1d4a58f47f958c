#include "tools/cli_util.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "store/canonical_json.h"
#include "tools/tape_hash.h"

namespace ssm {

void Fail(const std::string& command, const std::string& message, int exit_code) {
  std::cerr << "ssm-replay " << command << ": " << message << std::endl;
  throw CLI::RuntimeError(exit_code);
}

std::unique_ptr<TapeStore> OpenStoreOrFail(const std::string& command, const std::string& dir, StoreAccess access) {
  StoreOptions options;
  options.read_only = access == StoreAccess::kRead;
  options.create_if_missing = access == StoreAccess::kCreate;
  auto store = TapeStore::Open(dir, options);
  if (!store.ok()) Fail(command, store.status().message(), 2);
  return std::move(store).value();
}

void AddStoreOption(CLI::App* cmd, std::string* dir, StoreAccess access) {
  const char* help = access == StoreAccess::kCreate ? "Store directory (created 0700 when new)" : "Store directory";
  cmd->add_option("--store", *dir, help)->required();
}

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

void PrintRewritten(const std::string& dir, const InPlaceCompaction& compaction) {
  std::cout << "rewrote " << dir << " in key order: data.mdb " << HumanBytes(compaction.bytes_before) << " -> "
            << HumanBytes(compaction.bytes_after) << "\n";
}

Progress::Progress(std::string what) : what_(std::move(what)), enabled_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Clear(); }

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

void Progress::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_ < std::chrono::milliseconds(100) && done != total) return;
  last_ = now;
  drawn_ = true;
  if (total) {
    std::fprintf(stderr, "\r%s %llu/%llu (%.0f%%)", what_.c_str(), static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), 100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    std::fprintf(stderr, "\r%s %llu", what_.c_str(), static_cast<unsigned long long>(done));
  }
  std::fflush(stderr);
}

void TapeKeyOptions::AddTo(CLI::App* cmd) {
  cmd->add_option("--command-id", command_id, "GetCommandInvocation tape: CommandId");
  cmd->add_option("--instance-id", instance_id, "GetCommandInvocation tape: InstanceId");
  cmd->add_option("--plugin-name", plugin_name, "GetCommandInvocation tape: PluginName (omit for none)");
  cmd->add_option("--action", action, "Other actions: the action, e.g. SendCommand");
  cmd->add_option("--request", request, "Other actions: the request body JSON");
  cmd->add_option("--hash", hash,
                  "Other actions: the tape's short hash, as `list` and miss messages print it (sha256:0123abcd..., "
                  "at least 4 digits)");
}

Result<TapeKey> TapeKeyOptions::Key(const TapeStore& store) const {
  if (!hash.empty()) {
    if (!command_id.empty() || !instance_id.empty() || !request.empty()) {
      return Status::InvalidArgument("--hash names a tape by itself: drop --command-id, --instance-id and --request");
    }
    return ResolveShortHash(store, hash);
  }
  if (!action.empty() && action != kGetCommandInvocation) {
    auto canonical = CanonicalJson(request);
    if (!canonical.ok()) return Status::InvalidArgument("--request: " + canonical.status().message());
    return TapeKey::ForAction(action, *canonical);
  }
  if (command_id.empty() || instance_id.empty()) {
    return Status::InvalidArgument(
        "name a tape with --command-id and --instance-id (and --plugin-name when it has one), or "
        "--action and --request, or --hash; `ssm-replay list` shows the tapes");
  }
  return TapeKey::ForInvocation(command_id, instance_id, plugin_name);
}

}  // namespace ssm
