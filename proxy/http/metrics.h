// Metrics: counters and a latency histogram for GET /__replay/metrics, in the Prometheus text format.
// Lock-free on the request path (fixed tables of atomics: action labels come from the closed set of
// SSM actions, so clients cannot grow them).
#ifndef SSM_REPLAY_PROXY_HTTP_METRICS_H_
#define SSM_REPLAY_PROXY_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/modes/fault_counter.h"
#include "proxy/modes/mode.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

// Values owned elsewhere, sampled when metrics are rendered.
struct MetricsGauges {
  uint64_t tapes_cached = 0;  // tapes decoded in memory
  uint64_t records_cached = 0;  // tapes with stored records in memory
  uint64_t tape_loads = 0;    // tapes read from the store so far
  uint64_t cursors = 0;       // keys with a replay cursor (default session)
  uint64_t sessions_live = 0;     // named sessions (proxy/replay/session_registry.h)
  uint64_t sessions_started = 0;
  uint64_t sessions_expired = 0;
  bool decoded_cache_bypassed = false;  // TapePlayer::decoded_cache_bypassed
};

class Metrics : public FaultCounter {
 public:
  // Histogram upper bounds, in seconds.
  static constexpr std::array<double, 14> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                      0.025,  0.05,    0.1,    0.25,  0.5,    1.0,   5.0};

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One answered request. `action` not an SSM action (or empty: the request never named one)
  // is counted under action="-".
  void RecordRequest(std::string_view action, Outcome outcome, int64_t micros);
  // One injected fault of kind `fault` (e.g. "throttle"), for fault injection.
  void RecordFault(const std::string& fault) override;

  uint64_t requests(std::string_view action, Outcome outcome) const;
  uint64_t total_requests() const { return total_.load(std::memory_order_relaxed); }

  std::string Render(const MetricsGauges& gauges) const;

 private:
  size_t Row(std::string_view action) const;
  // The sections of Render.
  void AppendRequests(std::string* out) const;
  void AppendDurations(std::string* out) const;
  void AppendFaults(std::string* out) const;

  size_t rows_;                                                       // SSM actions + 1 for "-"
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;                   // rows_ x kOutcomeCount
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> buckets_{};  // last: +Inf
  std::atomic<uint64_t> total_{0};
  std::atomic<uint64_t> sum_us_{0};

  mutable Mutex faults_mu_;
  std::map<std::string, uint64_t> faults_ GUARDED_BY(faults_mu_);  // injected faults by kind
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_METRICS_H_
