// Upstream: the capability to forward one SSM call to AWS (or an emulator) and get its answer.
// Modes that forward see only this, so they are tested with a fake.
#ifndef SSM_REPLAY_PROXY_AWS_UPSTREAM_H_
#define SSM_REPLAY_PROXY_AWS_UPSTREAM_H_

#include <cstdint>
#include <optional>
#include <string>

#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/http_response.h"
#include "proxy/ssm/ssm_request.h"
#include "store/interaction.h"

namespace ssm {

// What upstream answered, whatever the HTTP status (AWS errors are answers too).
struct UpstreamResponse {
  int status = 0;
  // As received, minus hop-by-hop and framing headers (Connection, Transfer-Encoding, Content-Length,
  // Content-Encoding): `body` is decoded. May still hold per-response headers such as Date.
  HeaderList headers;
  std::string body;              // decoded: gzip/deflate undone
  std::string content_encoding;  // "gzip"/"deflate" when upstream sent the body encoded, else empty
  std::string encoded_body;      // the bytes as received, when content_encoding is set
  int64_t latency_us = 0;        // from sending the request to having read the whole answer
};

// Either an answer, or a transport failure (refused, DNS, TLS, timeout, garbage or truncated answer)
// already shaped as the error the client gets: 502, or 504 for a timeout, naming upstream and cause.
struct UpstreamResult {
  std::optional<UpstreamResponse> response;
  AwsError error;
  bool ok() const { return response.has_value(); }
};

inline constexpr char kUpstreamUnreachable[] = "UpstreamUnreachableException";  // 502
inline constexpr char kUpstreamTimeout[] = "UpstreamTimeoutException";          // 504

class Upstream {
 public:
  virtual ~Upstream() = default;
  // The upstream's base URL, e.g. "https://ssm.eu-west-1.amazonaws.com"; safe to log and store.
  virtual const std::string& url() const = 0;
  // Forwards `request`, signed with the operator's credentials. Called concurrently from many threads.
  virtual UpstreamResult Forward(const SsmRequest& request) = 0;
};

// The response for the client that sent `request`: upstream's status, headers and body, encoded again
// only if the client accepts the encoding upstream used ("the client gets what it asked for").
HttpResponse ClientResponse(const SsmRequest& request, const UpstreamResponse& upstream);

// The AWS error type of an answer: body "__type" (after any '#'), else the x-amzn-ErrorType header
// (before any ':'); empty when neither.
std::string AwsErrorType(const UpstreamResponse& upstream);

// True for answers that say the operator's credentials or signature were refused (403
// UnrecognizedClientException, InvalidSignatureException, ExpiredTokenException, ...): they describe
// the set-up, not the system, so they are never recorded.
bool IsAuthenticationFailure(const UpstreamResponse& upstream);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_UPSTREAM_H_
