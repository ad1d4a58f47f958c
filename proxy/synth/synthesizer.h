// Synthesize: a scenario's tapes -- per instance, a GetCommandInvocation tape per named plugin plus
// the plugin-less one AWS answers for a one-plugin document, and the SendCommand tape when asked --
// as a recording of AWS would have them (source "synth").
#ifndef SSM_REPLAY_PROXY_SYNTH_SYNTHESIZER_H_
#define SSM_REPLAY_PROXY_SYNTH_SYNTHESIZER_H_

#include <vector>

#include "proxy/synth/scenario.h"
#include "store/status.h"
#include "store/tape.h"

namespace ssm {

inline constexpr char kSynthSource[] = "synth";

// The tapes, SendCommand's first; InvalidArgument (naming the member or flag) when the scenario
// cannot be laid out consistently.
Result<std::vector<Tape>> Synthesize(const Scenario& scenario);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_SYNTHESIZER_H_
