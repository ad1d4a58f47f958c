// AwsError: an error answered the way AWS JSON 1.1 services answer errors, so SDKs surface it as a
// modelled exception: {"__type": "<Type>", "message": "..."} with x-amzn-ErrorType.
#ifndef SSM_REPLAY_PROXY_SSM_AWS_ERROR_H_
#define SSM_REPLAY_PROXY_SSM_AWS_ERROR_H_

#include <string>

#include "proxy/ssm/http_response.h"

namespace ssm {

struct AwsError {
  int http_status = 400;
  std::string type;     // e.g. "ValidationException", "ReplayMissException"
  std::string message;  // what happened and what to do about it

  // Content-Type application/x-amz-json-1.1, x-amzn-ErrorType, a fresh x-amzn-RequestId, and the
  // body {"__type": type, "message": message}.
  HttpResponse ToResponse() const;
};

// A fresh random (version 4) UUID, the shape of AWS's x-amzn-RequestId.
std::string NewRequestId();

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_AWS_ERROR_H_
