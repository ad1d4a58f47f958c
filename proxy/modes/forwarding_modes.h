// The forwarding modes (record, auto, passthrough): their options, and building one with everything it
// owns (operator credentials, the upstream, the redactor, the group-commit recorder). The command line
// that fills ForwardingArgs is tools/serve_options.h.
#ifndef SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_
#define SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_

#include <memory>
#include <string>
#include <vector>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/upstream.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/modes/mode.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/record/redactor.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "store/status.h"
#include "store/tape_store.h"

namespace ssm {

class RefreshingCredentials;  // proxy/aws/credentials/refreshing_credentials.h

struct ForwardingArgs {
  std::string region;    // --region, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region
  std::string profile;   // --profile, else AWS_PROFILE, else "default"
  std::string upstream;  // --upstream URL; https://ssm.<region>.amazonaws.com when empty
  std::string ca_file;
  double upstream_timeout_s = 30;
  bool append = false;
  // Commit without fsync: a killed ssm-replay still loses nothing (commits are in the OS's page cache
  // before the client is answered), but an OS crash or power loss may lose the last commits.
  bool no_fsync = false;
  std::vector<std::string> redact;
  // --on-store-error forward: a recording that fails still answers the client (record/auto).
  bool forward_on_store_error = false;
};

// The --mode values handled here.
inline const std::vector<std::string>& ForwardingModeNames() {
  static const std::vector<std::string> names = {"record", "auto", "passthrough"};
  return names;
}
bool IsForwardingMode(const std::string& mode);

// What a forwarding mode forwards through: the upstream (with the operator's credentials) and the
// redactor. Built before the store is opened, so a missing credential or a wrong option fails serve
// before it creates anything.
struct ForwardingPlan {
  std::string mode_name;  // one of ForwardingModeNames()
  ForwardingArgs args;
  std::unique_ptr<Upstream> upstream;
  std::unique_ptr<Redactor> redactor;
  std::shared_ptr<RefreshingCredentials> credentials;  // refreshed in the background; null: auto mode without any
  std::string summary;  // for the start-up log line: where to, which region, which credentials
};

// The plan for `mode_name`. Errors say what is missing and where it was looked for (credentials,
// region), or which option is wrong. `env` is the environment credentials and region are read from.
Result<ForwardingPlan> PlanForwarding(const std::string& mode_name, const ForwardingArgs& args,
                                      const EnvLookup& env);

// Builds the planned mode. The returned Mode owns the plan's upstream and redactor and the recorder;
// `store`, `player`, `cursors` and `sessions` are not owned and must outlive it. `replay` applies to
// auto mode's hits; `sessions` holds the named sessions (null: all calls in the default session).
std::unique_ptr<Mode> BuildForwardingMode(ForwardingPlan plan, TapeStore* store, TapePlayer* player,
                                          CursorTable* cursors, const ReplayOptions& replay,
                                          SessionRegistry* sessions = nullptr);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_
