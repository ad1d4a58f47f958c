// SsmRequest: one parsed AWS JSON 1.1 SSM call (POST /, X-Amz-Target: AmazonSSM.<Action>).
#ifndef SSM_REPLAY_PROXY_SSM_SSM_REQUEST_H_
#define SSM_REPLAY_PROXY_SSM_SSM_REQUEST_H_

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/interaction.h"
#include "store/tape_key.h"

namespace ssm {

struct SsmRequest {
  std::string action;          // "GetCommandInvocation", from X-Amz-Target
  std::string body;            // the bytes the client sent
  std::string canonical_body;  // canonical JSON of body (store/canonical_json.h)
  // The client's headers as received. Holds Authorization and the like: never store or log them.
  HeaderList headers;
  TapeKey key;                 // the tape this call plays from or records to

  // The session whose timeline the call walks (proxy/ssm/session_name.h); empty: the default session.
  std::string session;

  // The body as a JSON object, parsed on first use: a replay hit never needs it (validating a miss
  // does), and the bodies pollers send are read without a DOM (proxy/ssm/flat_json_object.h). Not
  // thread-safe, like the rest of a request: it belongs to the thread handling it.
  const nlohmann::json& json() const;
  // The DOM, when the parser built one anyway or json() was called.
  mutable std::optional<nlohmann::json> parsed_json;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_SSM_REQUEST_H_
