// Server: the HTTP front of ssm-replay (cpp-httplib). Parses each call (proxy/ssm/request_parser.h),
// hands it to the Mode, and writes the answer with a fresh Date and Content-Length; hands /__replay/
// calls to the admin endpoints (proxy/http/admin_endpoints.h); one access-log line per request
// (proxy/http/access_log.h).
//
// Tuned against cpp-httplib's defaults: TCP_NODELAY on (Nagle would add ~40 ms per answer), and an
// elastic worker pool, because cpp-httplib holds one worker per keep-alive connection: hundreds of
// keep-alive clients need hundreds of workers, which start on demand so an idle server stays small.
#ifndef SSM_REPLAY_PROXY_HTTP_SERVER_H_
#define SSM_REPLAY_PROXY_HTTP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "proxy/http/metrics.h"
#include "proxy/modes/mode.h"
#include "proxy/ssm/request_parser.h"
#include "proxy/http/tuned_http_server.h"
#include "store/status.h"

namespace ssm {

class CursorTable;
class SessionRegistry;
class TapePlayer;
class TapeStore;

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 4580;

  // "HOST:PORT", "[V6]:PORT"; port 0 picks a free one.
  static Result<ListenAddress> Parse(const std::string& text);
  std::string ToString() const;  // brackets around IPv6 hosts
};

// True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost.
bool IsLoopbackHost(const std::string& host);

struct ServerOptions {
  ListenAddress listen;
  // When set, admin endpoints require header "X-Replay-Admin-Token: <token>" (or "Authorization:
  // Bearer <token>"). Without it, admin endpoints are refused on a non-loopback listen address.
  std::string admin_token;
  // Threads, timeouts and the body limit (larger bodies: 413).
  HttpTuning http{8, 1024, 5, 10, 10, kDefaultMaxBody};
  std::string store_dir;  // for /__replay/health
  // serve --session-from-access-key: a call without a session header or path walks the session named
  // by its SigV4 access key id (proxy/ssm/session_name.h).
  bool session_from_access_key = false;
};

// Capabilities the admin endpoints use; any may be null (a mode without tapes or cursors).
struct ServerParts {
  Mode* mode = nullptr;            // required
  Metrics* metrics = nullptr;      // required
  CursorTable* cursors = nullptr;  // POST /__replay/reset rewinds these
  TapePlayer* player = nullptr;    // reset also drops its cached tapes; metrics read its gauges
  SessionRegistry* sessions = nullptr;  // the named sessions: /__replay/sessions, metrics, health
  TapeStore* recording_store = nullptr;  // record/auto: discard deletes a session's tapes from it
};

class Server {
 public:
  // All of `parts` must outlive the server.
  Server(ServerParts parts, ServerOptions options);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Binds the listen address. IOError naming the address when it is taken or invalid.
  Status Bind();
  // The bound port (after Bind), useful with port 0.
  int port() const;

  // Serves until Stop() (from another thread) or a signal blocked by BlockStopSignals() arrives.
  Status Run();
  // Thread-safe; Run() returns soon after (keep-alive connections end within http.keep_alive_timeout_s).
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks SIGINT and SIGTERM in the calling thread and every thread it starts afterwards, so that
// Server::Run can wait for them and stop cleanly. Call first thing, before any thread is started.
void BlockStopSignals();

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_SERVER_H_
