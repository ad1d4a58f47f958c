// Interaction: one recorded request/response pair, the unit a tape is made of.
#ifndef SSM_REPLAY_STORE_INTERACTION_H_
#define SSM_REPLAY_STORE_INTERACTION_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ssm {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Interaction {
  std::string action;          // SSM action, e.g. "GetCommandInvocation"
  std::string request_body;    // canonical JSON of the request (see canonical_json.h)
  int status = 0;              // HTTP status of the response
  HeaderList headers;          // response headers worth replaying, in received order
  std::string response_body;   // response body bytes exactly as received (decoded if gzip)
  int64_t recorded_at_ms = 0;  // when it was recorded, Unix epoch milliseconds (UTC)
  int64_t upstream_latency_us = 0;  // how long upstream took to answer
  std::string source;          // where it came from: "fixture", "record https://ssm...", ...

  bool operator==(const Interaction& o) const;
  bool operator!=(const Interaction& o) const { return !(*this == o); }
};

// True for headers a store must never hold: hop-by-hop, per-response (Date, Content-Length,
// Content-Encoding: the body is stored decoded) and anything credential-like (Authorization,
// X-Amz-Security-Token, X-Amz-Date, signatures, cookies). Case-insensitive.
bool IsUnstorableHeader(const std::string& name);

// Returns `headers` without the unstorable ones, order kept.
HeaderList StorableHeaders(const HeaderList& headers);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_INTERACTION_H_
