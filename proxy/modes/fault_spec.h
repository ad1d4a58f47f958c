// FaultSpec: the faults `serve --fault SPEC` injects, for users testing their retry and waiter logic.
//
// SPEC is a comma-separated list of KIND=VALUE parts; --fault may be given several times and its
// parts are merged (a kind given twice is an error):
//   throttle=P          with probability P, 400 ThrottlingException "Rate exceeded" (as AWS throttles)
//   error500=P          with probability P, 500 InternalServerError
//   reset=P             with probability P, the connection is closed without an answer
//   delay=MS            every answer waits MS milliseconds more
//   delay=MIN-MAX       every answer waits MIN..MAX milliseconds more (uniform, inclusive)
//   notfound-first=N    the first N GetCommandInvocation polls of each tape, before it plays its first
//                       entry, answer InvocationDoesNotExist (the race right after SendCommand)
// P is a number from 0 to 1 ("0.2", "1") or a percentage ("20%"). throttle, error500 and reset are one
// draw per request, so their sum must not exceed 1. Example: throttle=0.2,delay=5-20,notfound-first=2.
#ifndef SSM_REPLAY_PROXY_MODES_FAULT_SPEC_H_
#define SSM_REPLAY_PROXY_MODES_FAULT_SPEC_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/status.h"

namespace ssm {

struct FaultSpec {
  static constexpr int64_t kMaxDelayMs = 600000;
  static constexpr uint32_t kMaxNotFoundFirst = 1000;

  double throttle = 0;  // probabilities, each in [0, 1], summing to at most 1
  double error500 = 0;
  double reset = 0;
  int64_t delay_min_ms = 0;  // 0 <= min <= max <= kMaxDelayMs
  int64_t delay_max_ms = 0;
  uint32_t notfound_first = 0;

  // Parses one SPEC. InvalidArgument naming the bad part and what it should look like.
  static Result<FaultSpec> Parse(const std::string& text);
  // Parses and merges every --fault value.
  static Result<FaultSpec> Parse(const std::vector<std::string>& texts);

  // True when nothing would be injected.
  bool empty() const;
  // Canonical SPEC text ("throttle=0.2,delay=5-20"); "none" when empty.
  std::string ToString() const;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_FAULT_SPEC_H_
