// The forwarding modes (record, auto, passthrough): their options, and building one with everything it
// owns (operator credentials, the upstream, the redactor, the group-commit recorder). The command line
// that fills ForwardingArgs is tools/serve_options.h.
#ifndef SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_
#define SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_

#include <memory>
#include <string>
#include <vector>

#include "proxy/aws/aws_credentials.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/modes/mode.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/tape_player.h"
#include "store/status.h"
#include "store/tape_store.h"

namespace ssm {

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

// Builds `mode_name` (one of ForwardingModeNames()). The returned Mode owns the upstream, recorder
// and redactor; `store`, `player` and `cursors` are not owned and must outlive it. `replay` applies to
// auto mode's hits. Errors say what is missing and where it was looked for (credentials, region), or
// which option is wrong. `env` is the environment credentials and region are read from.
Result<std::unique_ptr<Mode>> BuildForwardingMode(const std::string& mode_name, const ForwardingArgs& args,
                                                  TapeStore* store, TapePlayer* player, CursorTable* cursors,
                                                  const ReplayOptions& replay, const EnvLookup& env);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_FORWARDING_MODES_H_
