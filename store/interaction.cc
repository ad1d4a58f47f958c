#include "store/interaction.h"

#include <algorithm>
#include <cctype>

namespace ssm {

bool Interaction::operator==(const Interaction& o) const {
  return action == o.action && request_body == o.request_body && status == o.status &&
         headers == o.headers && response_body == o.response_body &&
         recorded_at_ms == o.recorded_at_ms && upstream_latency_us == o.upstream_latency_us &&
         source == o.source;
}

bool IsUnstorableHeader(const std::string& name) {
  std::string n(name);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* const kExact[] = {
      // hop-by-hop (RFC 9110 section 7.6.1) and per-response framing
      "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
      "proxy-authenticate", "proxy-authorization", "content-length", "date", "content-encoding",
      // credential-like
      "authorization", "x-amz-security-token", "x-amz-date", "x-amz-content-sha256", "cookie",
      "set-cookie", "www-authenticate",
  };
  for (const char* e : kExact) {
    if (n == e) return true;
  }
  // Anything else that smells of a credential is dropped rather than risked.
  for (const char* part : {"signature", "credential", "token", "secret", "password"}) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

HeaderList StorableHeaders(const HeaderList& headers) {
  HeaderList out;
  for (const auto& h : headers) {
    if (!IsUnstorableHeader(h.first)) out.push_back(h);
  }
  return out;
}

}  // namespace ssm
