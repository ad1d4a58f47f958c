// PollTimeline: when each poll of a synthesized tape was sent and answered, and when the plugin
// started and ended, laid out so every answer is consistent with the others: a client polling every
// poll interval, 20-80 ms per answer, the plugin starting between the last poll that saw it waiting and
// the first that saw it running, and ending between the last running poll and the terminal one.
#ifndef SSM_REPLAY_PROXY_SYNTH_POLL_TIMELINE_H_
#define SSM_REPLAY_PROXY_SYNTH_POLL_TIMELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proxy/synth/scenario.h"
#include "store/status.h"

namespace ssm {

struct PollTimeline {
  struct Poll {
    int64_t answered_ms;   // the service's clock when it built the answer
    int64_t recorded_ms;   // when the client had the answer (the tape's recordedAt)
    int64_t latency_us;    // the tape's upstreamLatencyMicros
  };
  std::vector<Poll> polls;            // one per state
  std::optional<int64_t> started_ms;  // ExecutionStartDateTime, if the plugin ran
  std::optional<int64_t> ended_ms;    // ExecutionEndDateTime, if it finished
};

// The timeline of one plugin's tape; `name` distinguishes tapes for the seeded jitter. InvalidArgument
// naming the duration member when outcome.duration_ms cannot fit between the polls.
Result<PollTimeline> PlanPolls(const Scenario& scenario, const PluginOutcome& outcome, const std::string& name);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_POLL_TIMELINE_H_
