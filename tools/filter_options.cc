#include "tools/filter_options.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "proxy/replay/nearest_tapes.h"
#include "proxy/ssm/ssm_actions.h"
#include "proxy/synth/aws_time.h"

namespace ssm {
namespace {

Result<int64_t> ParseTime(const std::string& text, const std::string& flag) {
  Result<int64_t> ms = ParseIsoMillis(text, flag);
  if (!ms.ok()) {
    return Status::InvalidArgument(flag + " '" + text +
                                   "': give a UTC time as YYYY-MM-DDTHH:MM:SSZ (milliseconds allowed: .123Z)");
  }
  return ms;
}

}  // namespace

void FilterOptions::AddTo(CLI::App* cmd) {
  cmd->add_option("--command-id", command_id,
                  "Only tapes whose CommandId starts with this (a prefix scan: fast; a whole CommandId matches "
                  "itself and any longer one)");
  cmd->add_option("--instance-id", instance_id, "Only GetCommandInvocation tapes of this InstanceId (exact)");
  cmd->add_option("--action", action, "Only tapes of this SSM action, e.g. GetCommandInvocation or SendCommand");
  cmd->add_option("--since", since,
                  "Only tapes recorded at or after this UTC time (ISO 8601, e.g. 2026-12-06T14:00:00Z): a tape "
                  "matches when its last recorded interaction is not before it");
  cmd->add_option("--until", until,
                  "Only tapes recorded at or before this UTC time (ISO 8601): a tape matches when its first "
                  "recorded interaction is not after it");
}

Result<TapeFilter> FilterOptions::Filter() const {
  TapeFilter filter;
  if (!command_id.empty()) {
    filter.command_id = command_id;
    filter.command_id_is_prefix = true;
  }
  if (!instance_id.empty()) filter.instance_id = instance_id;
  if (!action.empty()) {
    Status known = CheckActionName(action, "--action");
    if (!known.ok()) return known;
    filter.action = action;
  }
  if (!since.empty()) {
    Result<int64_t> ms = ParseTime(since, "--since");
    if (!ms.ok()) return ms.status();
    filter.recorded_since_ms = *ms;
  }
  if (!until.empty()) {
    Result<int64_t> ms = ParseTime(until, "--until");
    if (!ms.ok()) return ms.status();
    filter.recorded_until_ms = *ms;
  }
  if (filter.recorded_since_ms && filter.recorded_until_ms && *filter.recorded_since_ms > *filter.recorded_until_ms) {
    return Status::InvalidArgument("--since " + since + " is after --until " + until);
  }
  return filter;
}

Status CheckActionName(const std::string& action, const std::string& flag) {
  if (SsmActionIndex(action) >= 0) return Status::OK();
  std::vector<std::pair<size_t, std::string>> names;
  for (size_t i = 0; i < SsmActionCount(); ++i) {
    std::string name(SsmActionName(static_cast<int>(i)));
    names.emplace_back(EditDistance(action, name), name);
  }
  std::string all;
  for (const auto& entry : names) all += (all.empty() ? "" : ", ") + entry.second;
  std::stable_sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string message = flag + " '" + action + "' is not an SSM action. Did you mean " + names[0].second;
  if (names.size() > 1) message += " or " + names[1].second;
  return Status::InvalidArgument(message + "? Valid actions (the SSM API's operations; names are case-sensitive): " +
                                 all);
}

}  // namespace ssm
