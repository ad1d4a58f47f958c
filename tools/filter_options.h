// The flags `list` and `export` share to pick tapes out of a store, e.g. the tapes of one incident:
// --command-id PREFIX, --instance-id, --action, --since and --until (the tapes' recorded time).
#ifndef SSM_REPLAY_TOOLS_FILTER_OPTIONS_H_
#define SSM_REPLAY_TOOLS_FILTER_OPTIONS_H_

#include <string>

#include <CLI/CLI.hpp>

#include "store/status.h"
#include "store/tape_store.h"

namespace ssm {

struct FilterOptions {
  std::string command_id, instance_id, action, since, until;

  void AddTo(CLI::App* cmd);
  // The filter the flags given describe; InvalidArgument saying what is wrong with a flag (an unknown
  // action names the valid ones, a bad time the form expected).
  Result<TapeFilter> Filter() const;
};

// OK for an SSM API operation name, else InvalidArgument naming the nearest ones and all valid ones.
Status CheckActionName(const std::string& action, const std::string& flag);

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_FILTER_OPTIONS_H_
