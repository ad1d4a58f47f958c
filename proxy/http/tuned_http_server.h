// TunedHttpServer: cpp-httplib's Server with the defaults that hurt an API server fixed. Shared by
// the proxy and the benchmark's framework-floor server, so both run with exactly the same tuning.
//
// The traps: Nagle is on (about 40 ms added to each small answer); the thread pool is fixed while
// each keep-alive connection holds a worker for its whole life; busy keep-alive connections are
// closed after 5 requests; and the listen backlog is 5, so a burst of connecting clients waits for
// TCP retransmits (1 s, 3 s, ...).
#ifndef SSM_REPLAY_PROXY_HTTP_TUNED_HTTP_SERVER_H_
#define SSM_REPLAY_PROXY_HTTP_TUNED_HTTP_SERVER_H_

#include <cstddef>
#include <string>

#include <httplib.h>

namespace ssm {

struct HttpTuning {
  size_t min_threads = 8;
  size_t max_threads = 1024;     // at most this many connections are served at once
  int keep_alive_timeout_s = 5;  // an idle keep-alive connection is closed after this
  int read_timeout_s = 10;       // a client that stops sending mid-request is dropped after this
  int write_timeout_s = 10;
  size_t max_body = 1 << 20;
};

class TunedHttpServer : public httplib::Server {
 public:
  TunedHttpServer() = default;
  TunedHttpServer(const TunedHttpServer&) = delete;
  TunedHttpServer& operator=(const TunedHttpServer&) = delete;

  // TCP_NODELAY, no SO_REUSEPORT (one server per port), an elastic worker pool (proxy/http/elastic_pool.h), unlimited requests per keep-alive
  // connection, and the timeouts and body limit of `tuning`. Call before binding.
  void Apply(const HttpTuning& tuning);

  // Raises the listen backlog to SOMAXCONN. Call after binding; false when it could not.
  bool RaiseBacklog();
};

// RFC 7231 IMF-fixdate for the Date header, recomputed at most once a second per thread.
std::string HttpDate();

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_TUNED_HTTP_SERVER_H_
