// Mode: turns one SSM request into a response. One file per mode (replay, record, auto,
// passthrough); each mode is handed only the capabilities it needs (a tape player, an upstream, a
// recorder), so each can be tested alone with fakes.
#ifndef SSM_REPLAY_PROXY_MODES_MODE_H_
#define SSM_REPLAY_PROXY_MODES_MODE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "proxy/ssm/http_response.h"
#include "proxy/ssm/ssm_request.h"

namespace ssm {

// How a request was answered: the access log's and the metrics' "outcome".
enum class Outcome { kHit, kMiss, kError, kForwarded, kRecorded, kFault };
inline constexpr int kOutcomeCount = 6;  // for tables indexed by Outcome
const char* OutcomeName(Outcome outcome);

struct ModeAnswer {
  HttpResponse response;
  Outcome outcome = Outcome::kHit;
  int64_t delay_us = 0;  // how long the server should wait before answering (latency replay)
  // Close the connection without answering (fault injection's `reset`); `response` is then only a
  // fallback, answered if the server cannot drop the connection.
  bool drop_connection = false;
  // When an entry of a tape answered: which one, from 1, and the tape's length (for the access log).
  // 0 when no tape entry answered.
  size_t step = 0;
  size_t steps = 0;
};

class Mode {
 public:
  virtual ~Mode() = default;
  virtual const char* name() const = 0;
  // Called concurrently from many server threads.
  virtual ModeAnswer Handle(const SsmRequest& request) = 0;
  // Whether Handle reads request.headers. When not, the server hands the mode only the headers the
  // parser reads (ParserReadsHeader, proxy/ssm/request_parser.h) and spares copying the rest per call.
  virtual bool ReadsRequestHeaders() const { return true; }
  // What the mode adds to GET /__replay/health's object (e.g. "credentials") and to /__replay/metrics'
  // text (whole Prometheus lines). Thread-safe; never secrets. Nothing by default.
  virtual void AddHealth(nlohmann::json* /*health*/) const {}
  virtual void AddMetrics(std::string* /*text*/) const {}
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_MODE_H_
