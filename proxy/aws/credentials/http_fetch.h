// The small HTTP client the credential providers talk to STS, SSO, the container endpoint and IMDS with
// (cpp-httplib, one connection per request: these calls are rare). Messages name the URL's scheme,
// host and path only, never headers or bodies (they carry tokens).
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_HTTP_FETCH_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_HTTP_FETCH_H_

#include <string>
#include <utility>
#include <vector>

#include "store/status.h"

namespace ssm {

struct HttpCall {
  std::string method = "GET";  // GET, PUT or POST
  std::string url;             // http(s)://host[:port]/path[?query]
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;    // for PUT/POST
  double timeout_s = 10.0;     // connect, read and write each
};

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// Sends `call`. Any HTTP status is an answer; an error only when none came (unreachable, timed out, a
// malformed URL), saying which and where.
Result<HttpAnswer> Fetch(const HttpCall& call);

// A URL split for httplib: "http://h:1" and "/p?q". InvalidArgument unless http:// or https://.
struct SplitUrl {
  std::string origin;  // scheme://authority
  std::string host;    // without the port
  std::string target;  // path and query; "/" when empty
  bool https = false;
};
Result<SplitUrl> SplitHttpUrl(const std::string& url);

// application/x-www-form-urlencoded encoding of one value (RFC 3986 unreserved bytes kept).
std::string FormEncode(const std::string& value);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_HTTP_FETCH_H_
