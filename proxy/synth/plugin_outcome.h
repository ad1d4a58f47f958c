// The outcome members of a scenario (states, statusDetails, stdout, stderr, responseCode, duration),
// checked against each other the way AWS relates them: StatusDetails belongs to the terminal Status,
// ResponseCode is 0 for Success and -1 for a plugin that never ran, output exists only once run.
#ifndef SSM_REPLAY_PROXY_SYNTH_PLUGIN_OUTCOME_H_
#define SSM_REPLAY_PROXY_SYNTH_PLUGIN_OUTCOME_H_

#include <string>

#include <nlohmann/json.hpp>

#include "proxy/synth/scenario.h"
#include "store/status.h"

namespace ssm {

// Names of the members ParsePluginOutcome reads.
extern const char* const kOutcomeMembers[6];

// `object` holds the outcome members that apply at `path` (defaults already merged in).
Result<PluginOutcome> ParsePluginOutcome(const nlohmann::ordered_json& object, const std::string& path,
                                         const ScenarioNaming& naming);

// "Failed: Failed, Undeliverable; TimedOut: ExecutionTimedOut, DeliveryTimedOut; ...": the
// StatusDetails each terminal Status may carry.
std::string ValidStatusDetails();

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_PLUGIN_OUTCOME_H_
