// The session a call walks, for the modes: null for the default session (the server-wide cursors),
// else the live named session from the registry, started on first use.
#ifndef SSM_REPLAY_PROXY_MODES_SESSION_USE_H_
#define SSM_REPLAY_PROXY_MODES_SESSION_USE_H_

#include <memory>
#include <optional>

#include "proxy/modes/mode.h"
#include "proxy/replay/session.h"
#include "proxy/replay/session_registry.h"
#include "proxy/ssm/ssm_request.h"

namespace ssm {

// Sets `*session` to the session of `request` (null: the default session, also when `sessions` is
// null). The answer refusing the call, a 429 ThrottlingException, when a new session cannot start.
std::optional<ModeAnswer> UseSession(SessionRegistry* sessions, const SsmRequest& request,
                                     std::shared_ptr<Session>* session);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_SESSION_USE_H_
