// RequestParser: one HTTP request, as any HTTP library hands it over, to an SsmRequest (with the
// tape key it plays from), or to the AWS-shaped error AWS itself would answer. Knows no HTTP library.
#ifndef SSM_REPLAY_PROXY_SSM_REQUEST_PARSER_H_
#define SSM_REPLAY_PROXY_SSM_REQUEST_PARSER_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/flat_json_object.h"
#include "proxy/ssm/ssm_request.h"
#include "store/interaction.h"
#include "store/status.h"
#include "store/tape_key.h"

namespace ssm {

inline constexpr size_t kDefaultMaxBody = 1 << 20;  // 1 MiB

// Exactly one of `request` and `error` is set.
struct ParsedRequest {
  std::optional<SsmRequest> request;
  std::optional<AwsError> error;
  // The action X-Amz-Target names when it is a known SSM action (also on most errors), else empty:
  // for logs and metrics.
  std::string action;

  bool ok() const { return request.has_value(); }
};

// POST / (or POST /session/NAME[/], proxy/ssm/session_name.h) with X-Amz-Target: AmazonSSM.<Action>
// and a JSON object body. Errors, in the order checked:
//   other path: 404 NotFoundException;  other method on /: 405 MethodNotAllowedException;
//   body over `max_body` bytes: 413 RequestEntityTooLargeException;
//   missing/unknown X-Amz-Target: 400 UnknownOperationException;
//   a session name breaking the rule: 400 ValidationException;
//   body not a JSON object, or a key field of the wrong type: 400 SerializationException;
//   a key field holding a NUL byte: 400 ValidationException.
// Matching uses the body alone: Authorization, X-Amz-Date, X-Amz-Security-Token, User-Agent and
// amz-sdk-* headers never influence the key. `headers` is kept in the request (never log it).
// `session_from_access_key`: serve --session-from-access-key.
ParsedRequest ParseSsmRequest(std::string_view method, std::string_view path, HeaderList headers,
                              std::string body, size_t max_body = kDefaultMaxBody,
                              bool session_from_access_key = false);

// The tape key of a call: GetCommandInvocation keys on (CommandId, InstanceId, PluginName) with an
// absent (or null) PluginName distinct from any string; missing ids key as empty strings (such a
// call misses, and validation then names the missing field). Other actions key on
// (action, canonical body). The error is a 400 SerializationException or ValidationException.
std::optional<TapeKey> ExtractTapeKey(const std::string& action, const nlohmann::json& body,
                                      const std::string& canonical_body, AwsError* error);
// The same for a body read by the fast path (proxy/ssm/flat_json_object.h), whose fields are all strings.
std::optional<TapeKey> ExtractTapeKey(const std::string& action, const std::vector<FlatMember>& body,
                                      const std::string& canonical_body, AwsError* error);

// Whether ParseSsmRequest reads the header `name` (X-Amz-Target, the session header, and with
// `session_from_access_key` Authorization): the headers a mode that reads none must still be given.
bool ParserReadsHeader(std::string_view name, bool session_from_access_key);

// Whether two header names are the same (HTTP header names are case-insensitive).
bool HeaderNameIs(std::string_view name, std::string_view expected);

// Case-insensitive header lookup; nullptr when absent.
const std::string* FindHeader(const HeaderList& headers, std::string_view name);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_REQUEST_PARSER_H_
