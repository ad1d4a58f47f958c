// HttpsUpstream: the real Upstream, over cpp-httplib. Forwards each call to AWS SSM (or --upstream),
// signed afresh with SigV4 (service "ssm") using the operator's credentials.
//
// Connections are kept alive and reused across client requests: an httplib::Client serves one request
// at a time, so idle clients wait in a small mutex-guarded pool and a busy thread takes one (or makes
// a new one). A client whose request failed is dropped rather than returned, so a broken connection is
// never reused.
#ifndef SSM_REPLAY_PROXY_AWS_HTTPS_UPSTREAM_H_
#define SSM_REPLAY_PROXY_AWS_HTTPS_UPSTREAM_H_

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/upstream.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"
#include "store/status.h"

namespace httplib {
class Client;
struct Request;
}

namespace ssm {

struct HttpsUpstreamOptions {
  // Base URL: "https://ssm.<region>.amazonaws.com" when empty. http:// is allowed (local emulators).
  std::string url;
  std::string region;       // signing region, and the default URL's
  std::string ca_file;      // PEM bundle to verify https upstreams with; system CA bundle when empty
  double timeout_s = 30.0;  // connect timeout, and read timeout (longest silence while reading)
  size_t max_idle_connections = 64;
  // Current time for signing; tests may pin it.
  std::function<std::time_t()> clock;
};

class HttpsUpstream : public Upstream {
 public:
  // InvalidArgument for a URL that is not http(s)://host[:port][/], an empty region, a non-positive
  // timeout, or a --ca-file that cannot be read. Credentials are kept in memory only, never logged.
  static Result<std::unique_ptr<HttpsUpstream>> Create(const HttpsUpstreamOptions& options,
                                                       AwsCredentials credentials);
  // As above, asking `credentials` for the current credentials on every call (they may be refreshed).
  static Result<std::unique_ptr<HttpsUpstream>> Create(const HttpsUpstreamOptions& options,
                                                       std::shared_ptr<CredentialSource> credentials);

  ~HttpsUpstream() override;
  HttpsUpstream(const HttpsUpstream&) = delete;
  HttpsUpstream& operator=(const HttpsUpstream&) = delete;

  const std::string& url() const override { return url_; }
  UpstreamResult Forward(const SsmRequest& request) override;

  // The default upstream for `region`.
  static std::string DefaultUrl(const std::string& region);

 private:
  HttpsUpstream() = default;

  // The call as sent upstream: the client's headers but credentials, hop-by-hop and framing ones,
  // signed afresh. An error when it cannot be signed.
  Status SignedRequest(const SsmRequest& request, httplib::Request* out) const;
  // An idle client, or a new one.
  std::unique_ptr<httplib::Client> Acquire();
  // Keeps `client` for reuse (only after a request on it succeeded), unless enough are idle.
  void Release(std::unique_ptr<httplib::Client> client);
  AwsError TransportError(int http_status, const std::string& cause) const;

  std::string url_;        // normalised: scheme://authority, no trailing slash
  std::string authority_;  // host[:port] as sent in Host
  std::string host_;       // host alone, for DNS diagnostics
  bool https_ = true;
  HttpsUpstreamOptions options_;
  std::shared_ptr<CredentialSource> credentials_;

  Mutex pool_mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_ GUARDED_BY(pool_mu_);
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_HTTPS_UPSTREAM_H_
