// SessionEndpoints: the admin endpoints of named sessions (proxy/replay/session_registry.h), under
// /__replay/sessions; AdminEndpoints checks access and hands them over.
//   GET    /__replay/sessions               the live sessions: name, polls, shiftTimes, cursors, calls,
//                                           started, lastUse; and "live"
//   POST   /__replay/sessions               body {"name", "polls"?, "shiftTimes"?}: creates or configures
//   GET    /__replay/sessions/NAME          one session
//   POST   /__replay/sessions/NAME/reset    rewinds its cursors only
//   DELETE /__replay/sessions/NAME          ends it
//   POST   /__replay/sessions/NAME/discard  record/auto: deletes the tapes it recorded on
// "default" names the default session, which can be reset but not configured, deleted or discarded.
#ifndef SSM_REPLAY_PROXY_HTTP_SESSION_ENDPOINTS_H_
#define SSM_REPLAY_PROXY_HTTP_SESSION_ENDPOINTS_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "proxy/http/admin_answer.h"
#include "proxy/http/server.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session.h"
#include "store/tape_key.h"

namespace ssm {

inline constexpr char kSessionsPath[] = "/__replay/sessions";
bool IsSessionsPath(const std::string& path);

// The cursors of one session, to rewind: the server-wide table for the default session (empty name),
// else the session's own.
struct SessionCursors {
  std::string name;
  CursorTable* table = nullptr;
  std::shared_ptr<Session> session;

  size_t ResetAll() const;
  bool Reset(const TapeKey& key) const;
};

class SessionEndpoints {
 public:
  // What `parts` point to must outlive this.
  explicit SessionEndpoints(const ServerParts& parts);
  SessionEndpoints(const SessionEndpoints&) = delete;
  SessionEndpoints& operator=(const SessionEndpoints&) = delete;

  // Answers `req`, whose path IsSessionsPath. Thread-safe.
  AdminAnswer Handle(const httplib::Request& req) const;

  // The cursors of the session `name` as given by a client (invalid: 400; not live: 404; a mode
  // without cursors: 400). Sets `*cursors` or returns the error answer.
  std::optional<AdminAnswer> CursorsOf(const std::string& name, SessionCursors* cursors) const;

  // What health and metrics show: live sessions (after dropping idle ones), started, expired.
  void AddHealth(nlohmann::json* health) const;

 private:
  AdminAnswer List() const;
  AdminAnswer Configure(const httplib::Request& req) const;
  AdminAnswer Show(const std::string& name) const;
  AdminAnswer Reset(const std::string& name) const;
  AdminAnswer Delete(const std::string& name) const;
  AdminAnswer Discard(const std::string& name) const;

  const ServerParts parts_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_SESSION_ENDPOINTS_H_
