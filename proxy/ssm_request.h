// SsmRequest: one parsed AWS JSON 1.1 SSM call (POST /, X-Amz-Target: AmazonSSM.<Action>).
#ifndef SSM_REPLAY_PROXY_SSM_REQUEST_H_
#define SSM_REPLAY_PROXY_SSM_REQUEST_H_

#include <string>

#include <nlohmann/json.hpp>

#include "store/interaction.h"
#include "store/tape_key.h"

namespace ssm {

struct SsmRequest {
  std::string action;          // "GetCommandInvocation", from X-Amz-Target
  std::string body;            // the bytes the client sent
  std::string canonical_body;  // canonical JSON of body (store/canonical_json.h)
  nlohmann::json json;         // body, parsed
  // The client's headers as received. Holds Authorization and the like: never store or log them.
  HeaderList headers;
  TapeKey key;                 // the tape this call plays from or records to
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_REQUEST_H_
