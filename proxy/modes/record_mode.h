// RecordMode: forwards every call upstream, records the answer on the call's tape, and only then
// answers the client with exactly what upstream said.
//
// Every AWS answer is recorded, errors included (InvocationDoesNotExist, throttling, validation
// errors, 5xx): a replay must reproduce them. Two exceptions: authentication failures (the operator's
// credentials or signature refused) are passed to the client and logged loudly but never stored, and
// transport failures (upstream unreachable, timed out, garbled) answer 502/504 and store nothing.
//
// Secrets are redacted (proxy/record/redactor.h) before recording; a non-GetCommandInvocation request whose
// body held redacted text is recorded under the redacted request's key, since the key is stored too.
#ifndef SSM_REPLAY_PROXY_MODES_RECORD_MODE_H_
#define SSM_REPLAY_PROXY_MODES_RECORD_MODE_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "proxy/modes/mode.h"
#include "proxy/record/recorder.h"
#include "proxy/record/redactor.h"
#include "proxy/aws/upstream.h"
#include "proxy/replay/session.h"
#include "proxy/replay/session_registry.h"
#include "store/interaction.h"
#include "store/status.h"
#include "store/tape_key.h"

namespace ssm {

class RecordMode : public Mode {
 public:
  // Wall-clock time in Unix epoch milliseconds, for Interaction::recorded_at_ms.
  using Clock = std::function<int64_t()>;

  // None owned; all must outlive the mode. `clock` defaults to the system clock.
  RecordMode(Upstream* upstream, Recorder* recorder, const Redactor* redactor, Clock clock = {});
  RecordMode(const RecordMode&) = delete;
  RecordMode& operator=(const RecordMode&) = delete;

  const char* name() const override { return "record"; }
  // Records in the request's session (proxy/modes/session_use.h).
  ModeAnswer Handle(const SsmRequest& request) override;
  // Forwards and records `request`; a tape recorded on is noted in `session` (may be null: the
  // default session), for discard.
  ModeAnswer Record(const SsmRequest& request, Session* session);
  // "status": "degraded" and the count once a recording failed; the count as a metric.
  void AddHealth(nlohmann::json* health) const override;
  void AddMetrics(std::string* text) const override;

  // serve --on-store-error forward: when recording fails (disk full, map full, store read-only), the
  // client still gets upstream's answer (logged as an error and counted) instead of a
  // RecordFailedException. Set before the first call.
  void set_forward_on_store_error(bool forward) { forward_on_store_error_ = forward; }
  // The named sessions calls record in (not owned; null: all record in the default session). Set
  // before the first call.
  void set_sessions(SessionRegistry* sessions) { sessions_ = sessions; }
  uint64_t store_errors() const { return store_errors_.load(std::memory_order_relaxed); }

 private:
  // The client's answer when upstream refused the operator's credentials: passed on (redacted), never
  // recorded, logged loudly.
  ModeAnswer CredentialsRefused(const SsmRequest& request, const UpstreamResponse& up) const;
  // What is recorded for `request` answered by `up`, redacted.
  Interaction ToInteraction(const SsmRequest& request, const UpstreamResponse& up) const;
  // The key to record under: the request's, or for an action whose request body redaction changed,
  // the redacted body's (then canonical in `interaction` too).
  Result<TapeKey> KeyAfterRedaction(const SsmRequest& request, Interaction* interaction) const;

  Upstream* upstream_;
  Recorder* recorder_;
  const Redactor* redactor_;
  Clock clock_;
  bool forward_on_store_error_ = false;
  SessionRegistry* sessions_ = nullptr;
  std::atomic<uint64_t> store_errors_{0};
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_RECORD_MODE_H_
