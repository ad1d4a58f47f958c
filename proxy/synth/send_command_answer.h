// The SendCommand answer that starts a synthesized command: the request a client sends (completed
// from the scenario and checked against it) and AWS's Command result, members in botocore's order.
#ifndef SSM_REPLAY_PROXY_SYNTH_SEND_COMMAND_ANSWER_H_
#define SSM_REPLAY_PROXY_SYNTH_SEND_COMMAND_ANSWER_H_

#include <nlohmann/json.hpp>

#include "proxy/synth/scenario.h"
#include "store/status.h"

namespace ssm {

// scenario.send_command_request with DocumentName, InstanceIds (and Comment, when the scenario has
// one) filled in; InvalidArgument when the request names another document, other instances or
// another comment than the scenario.
Result<nlohmann::ordered_json> CompleteSendCommandRequest(const Scenario& scenario);

// {"Command": {...}} for `request`, Status Pending, requested at scenario.start_ms.
nlohmann::ordered_json SendCommandResult(const Scenario& scenario, const nlohmann::ordered_json& request);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_SEND_COMMAND_ANSWER_H_
