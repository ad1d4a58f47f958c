// AdminEndpoints: the server's /__replay/ endpoints. GET /__replay/health (mode, store, port),
// GET /__replay/metrics (Prometheus text), POST /__replay/reset (rewinds cursors: all of them, one
// command's, or one tape's, of the default session or of ?Session=NAME; for the default session it
// also drops the player's cached copies of the tapes rewound, so a tape changed in the store since is
// read again), and /__replay/sessions (proxy/http/session_endpoints.h).
//
// Guarded: with an admin token configured, every call must carry it; without one, the endpoints answer
// only on a loopback listen address.
#ifndef SSM_REPLAY_PROXY_HTTP_ADMIN_ENDPOINTS_H_
#define SSM_REPLAY_PROXY_HTTP_ADMIN_ENDPOINTS_H_

#include <optional>
#include <string>

#include <httplib.h>

#include "proxy/http/admin_answer.h"
#include "proxy/http/server.h"
#include "proxy/http/session_endpoints.h"
#include "proxy/modes/mode.h"
#include "proxy/ssm/http_response.h"
#include "store/status.h"
#include "store/tape_key.h"

namespace ssm {

// Path prefix of every admin endpoint.
inline constexpr char kAdminPathPrefix[] = "/__replay/";
bool IsAdminPath(const std::string& path);

class AdminEndpoints {
 public:
  using Answer = AdminAnswer;

  // What `parts` point to must outlive this.
  AdminEndpoints(const ServerParts& parts, const ServerOptions& options);
  AdminEndpoints(const AdminEndpoints&) = delete;
  AdminEndpoints& operator=(const AdminEndpoints&) = delete;

  // The port /__replay/health reports. Set before serving starts (not synchronised).
  void set_port(int port) { port_ = port; }

  // Answers `req`, whose path starts with kAdminPathPrefix. Thread-safe.
  Answer Handle(const httplib::Request& req) const;

 private:
  // An answer refusing `req` when it may not use the endpoints; nullopt when it may.
  std::optional<Answer> CheckAccess(const httplib::Request& req) const;
  Answer Health(const httplib::Request& req) const;
  Answer Metrics(const httplib::Request& req) const;
  Answer Reset(const httplib::Request& req) const;
  Answer ResetCommand(const SessionCursors& cursors, const std::string& command_id) const;
  // Rewinds the cursors of one command's invocation tapes; returns how many. A named session's by key
  // prefix; the default session's table keeps no keys, so the command's tapes are listed from the store.
  Result<size_t> RewindCommand(const SessionCursors& cursors, const std::string& command_id) const;
  Answer ResetTape(const SessionCursors& cursors, const TapeKey& key) const;

  const ServerParts parts_;
  const ServerOptions options_;
  SessionEndpoints sessions_;
  int port_ = 0;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_ADMIN_ENDPOINTS_H_
