#include "proxy/ssm/aws_error.h"

#include <cstdint>
#include <random>

#include "store/json_escape.h"

namespace ssm {

std::string NewRequestId() {
  // Per-thread generator: no lock on the request path. Request ids need to be unique, not secret.
  thread_local std::mt19937_64 rng{std::random_device{}() ^
                                   (static_cast<uint64_t>(std::random_device{}()) << 32)};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    out.push_back(kHex[(word >> shift) & 0xf]);
  }
  return out;
}

HttpResponse AwsError::ToResponse() const {
  HttpResponse response;
  response.status = http_status;
  response.headers = {{"x-amzn-RequestId", NewRequestId()},
                      {"Content-Type", "application/x-amz-json-1.1"},
                      {"x-amzn-ErrorType", type}};
  // {"__type":..,"message":..}; invalid UTF-8 echoed back from a client's request is replaced.
  response.body = "{\"__type\":" + JsonString(type) + ",\"message\":" + JsonString(message) + "}";
  return response;
}

}  // namespace ssm
