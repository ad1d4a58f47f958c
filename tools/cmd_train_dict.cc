// ssm-replay train-dict: train a zstd dictionary on the store's records; new records use it.
#include <iostream>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct TrainOptions {
  std::string store;
  size_t max_bytes = 112 * 1024;
  size_t max_samples = 100000;
};

void RunTrain(const TrainOptions& o) {
  auto store = OpenStoreOrFail("train-dict", o.store, StoreAccess::kWrite);
  auto id = store->TrainDictionary(o.max_bytes, o.max_samples);
  if (!id.ok()) Fail("train-dict", id.status().message());
  std::cout << "trained zstd dictionary " << *id << "; records written from now on use it "
            << "(re-import or record to apply it to existing tapes)\n";
}

CommandRegistration registration(18, [](CLI::App& app) {
  auto o = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand("train-dict", "Train a zstd dictionary from the stored records");
  AddStoreOption(cmd, &o->store, StoreAccess::kWrite);
  cmd->add_option("--max-bytes", o->max_bytes, "Dictionary size limit")->capture_default_str();
  cmd->add_option("--max-samples", o->max_samples, "Records to train on")->capture_default_str();
  cmd->callback([o] { RunTrain(*o); });
});

}  // namespace
}  // namespace ssm
