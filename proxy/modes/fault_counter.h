// FaultCounter: the capability to count injected faults by kind. FaultMode sees only this; the
// server's Metrics is the real one, so modes/ needs nothing of http/.
#ifndef SSM_REPLAY_PROXY_MODES_FAULT_COUNTER_H_
#define SSM_REPLAY_PROXY_MODES_FAULT_COUNTER_H_

#include <string>

namespace ssm {

class FaultCounter {
 public:
  virtual ~FaultCounter() = default;
  // One injected fault of kind `fault` (e.g. "throttle"). Called concurrently from server threads.
  virtual void RecordFault(const std::string& fault) = 0;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_FAULT_COUNTER_H_
