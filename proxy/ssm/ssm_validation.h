// SsmValidation: the ValidationException AWS answers when a request breaks the constraints of the
// SSM service model (required members, string lengths, patterns). Replay uses it on a miss, so a
// malformed call fails as it would against AWS instead of as a missing tape.
#ifndef SSM_REPLAY_PROXY_SSM_SSM_VALIDATION_H_
#define SSM_REPLAY_PROXY_SSM_SSM_VALIDATION_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "proxy/ssm/aws_error.h"

namespace ssm {

// A 400 ValidationException worded like AWS's, e.g.
//   1 validation error detected: Value 'i-1' at 'instanceId' failed to satisfy constraint: Member
//   must satisfy regular expression pattern: (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)
// listing every broken constraint ("2 validation errors detected: ...; ..."); nullopt when `body`
// satisfies the rules known for `action` (GetCommandInvocation, ListCommandInvocations,
// ListCommands, CancelCommand, SendCommand; other actions have none here).
std::optional<AwsError> ValidateSsmRequest(const std::string& action, const nlohmann::json& body);

// True for an SSM InstanceId: (^i-(\w{8}|\w{17})$)|(^mi-\w{17}$).
bool IsValidInstanceId(const std::string& id);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_SSM_VALIDATION_H_
