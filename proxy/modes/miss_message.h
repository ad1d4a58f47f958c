// The answer replay gives when no tape has a request's key: AWS's ValidationException when the
// request breaks the model's constraints, else a 404 ReplayMissException that names the key and the
// recorded tapes it most likely meant (proxy/replay/nearest_tapes.h), saying how each differs: the
// CommandId, InstanceId or PluginName for GetCommandInvocation, the request fields for other actions.
#ifndef SSM_REPLAY_PROXY_MODES_MISS_MESSAGE_H_
#define SSM_REPLAY_PROXY_MODES_MISS_MESSAGE_H_

#include <cstddef>
#include <string>
#include <vector>

#include "proxy/modes/mode.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/ssm_request.h"

namespace ssm {

// The miss answer for `request`, listing up to `nearest_limit` tapes `player` finds near it.
ModeAnswer ReplayMissAnswer(const SsmRequest& request, TapePlayer* player, size_t nearest_limit);

// The ReplayMissException message for `request`, given the nearest recorded keys, nearest first.
std::string MissMessage(const SsmRequest& request, const std::vector<TapeKey>& nearest);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_MISS_MESSAGE_H_
