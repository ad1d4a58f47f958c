// ssm-replay stats: how big the store is, raw vs stored.
#include <cstdio>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

void RunStats(const std::string& dir) {
  auto store = OpenStoreOrFail("stats", dir, StoreAccess::kRead);
  auto stats = store->Stats();
  if (!stats.ok()) Fail("stats", stats.status().message());
  const StoreStats& s = *stats;
  auto per = [&](uint64_t bytes) { return s.interactions ? static_cast<double>(bytes) / s.interactions : 0.0; };
  auto share = [&](uint64_t bytes) {
    return s.raw_bytes ? 100.0 * static_cast<double>(bytes) / static_cast<double>(s.raw_bytes) : 0.0;
  };
  std::printf("store            %s\n", dir.c_str());
  std::printf("format version   %u\n", s.format_version);
  std::printf("tapes            %llu\n", static_cast<unsigned long long>(s.tapes));
  std::printf("interactions     %llu\n", static_cast<unsigned long long>(s.interactions));
  // "Raw" is the interactions as stored before compression (bodies as received, the canonical
  // request, headers): what the shares below divide by. Tape files say the same in indented JSON,
  // larger (bench/README.md's density figures divide by the files' bytes).
  std::printf("raw bytes        %llu (%s, %.0f per interaction: the interactions serialised, uncompressed; "
              "not the tape files' JSON)\n",
              static_cast<unsigned long long>(s.raw_bytes), HumanBytes(s.raw_bytes).c_str(), per(s.raw_bytes));
  std::printf("stored bytes     %llu (%s, %.0f per interaction, %.1f%% of raw bytes)\n",
              static_cast<unsigned long long>(s.stored_bytes), HumanBytes(s.stored_bytes).c_str(), per(s.stored_bytes),
              share(s.stored_bytes));
  // The file is what the store costs on disk; the pages in use are what it would shrink to by `compact`
  // (free pages are reused by later writes). The map is address space only, never disk.
  std::printf("data file        %llu (%s, %.0f per interaction, %.1f%% of raw bytes)\n",
              static_cast<unsigned long long>(s.file_bytes), HumanBytes(s.file_bytes).c_str(), per(s.file_bytes),
              share(s.file_bytes));
  std::printf("pages in use     %llu (%s, %.0f per interaction, %.1f%% of raw bytes; map %s)\n",
              static_cast<unsigned long long>(s.used_bytes), HumanBytes(s.used_bytes).c_str(), per(s.used_bytes),
              share(s.used_bytes), HumanBytes(s.map_bytes).c_str());
  if (s.dictionary_id) {
    std::printf("zstd dictionary  %u%s\n", s.dictionary_id,
                store->ReencodePending() ? " (older records not all re-encoded with it yet: the next import or "
                                           "record run finishes that)"
                                         : "");
  } else {
    std::printf("zstd dictionary  none yet (trained by itself once the store holds %llu records)\n",
                static_cast<unsigned long long>(kAutoDictionaryRecords));
  }
}

CommandRegistration registration(14, [](CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("stats", "Tapes, interactions, bytes raw (interactions serialised, uncompressed) vs "
                                          "stored (records, data file, pages in use: per interaction and as a share "
                                          "of the raw bytes), format version");
  AddStoreOption(cmd, dir.get(), StoreAccess::kRead);
  cmd->callback([dir] { RunStats(*dir); });
});

}  // namespace
}  // namespace ssm
