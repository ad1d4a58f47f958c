// ReplayMode: answers from tapes only, never the network. A hit answers the recorded status, headers
// and body bytes of the entry the key's cursor points at; a miss answers the ValidationException AWS
// would give when the request breaks the model's constraints, else a 404 ReplayMissException naming
// the action and key and listing the nearest recorded keys.
#ifndef SSM_REPLAY_PROXY_MODES_REPLAY_MODE_H_
#define SSM_REPLAY_PROXY_MODES_REPLAY_MODE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "proxy/replay/cursor_table.h"
#include "proxy/modes/mode.h"
#include "proxy/replay/poll_plan.h"
#include "proxy/replay/session.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "store/status.h"

namespace ssm {

// --latency none|recorded|fixed:MS
struct LatencyPolicy {
  enum class Kind { kNone, kRecorded, kFixed };
  Kind kind = Kind::kNone;
  int64_t fixed_us = 0;

  static Result<LatencyPolicy> Parse(const std::string& text);
  std::string ToString() const;
  // The delay before answering with `interaction`.
  int64_t DelayFor(const Interaction& interaction) const;
};

struct ReplayOptions {
  ReplayOrder order = ReplayOrder::kSequence;
  LatencyPolicy latency;
  size_t nearest_keys = 5;  // how many nearest keys a miss message lists
  // The default session's --polls and --shift-times (a named session has its own settings).
  PollPolicy polls = PollPolicy::kRecorded;
  bool shift_times = false;
};

class ReplayMode : public Mode {
 public:
  // None owned; all must outlive the mode. `cursors` are the default session's; `sessions` holds the
  // named ones (null: every call walks the default session).
  ReplayMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, SessionRegistry* sessions = nullptr);
  ReplayMode(const ReplayMode&) = delete;
  ReplayMode& operator=(const ReplayMode&) = delete;

  const char* name() const override { return "replay"; }
  ModeAnswer Handle(const SsmRequest& request) override;
  bool ReadsRequestHeaders() const override { return false; }  // it answers from the key alone

  // The answer from the tape for the request's key (a hit, or a 500 when the store fails), stepping
  // the key's cursor in `session` (null: the default session); nullopt when no tape has the key (the
  // cursor does not move). For modes that do something else on a miss (auto mode records).
  std::optional<ModeAnswer> FromTape(const SsmRequest& request, Session* session = nullptr);

  // The miss answer for `request` (also used by modes that fall back to replay rules).
  ModeAnswer Miss(const SsmRequest& request);

 private:
  // FromTape when polls are planned or dates shifted: reads the whole tape (the plan needs every
  // entry's outcome, the shift the first entry's time).
  std::optional<ModeAnswer> FromWholeTape(const SsmRequest& request, Session* session, PollPolicy polls,
                                          bool shift_times);
  CursorStep Step(const SsmRequest& request, Session* session, size_t length) {
    return session ? session->Next(request.key, length, options_.order)
                   : cursors_->Next(request.key, length, options_.order);
  }

  TapePlayer* player_;
  CursorTable* cursors_;
  ReplayOptions options_;
  SessionRegistry* sessions_;
};

// The answer for entry `interaction` of a tape: its status, headers and body, exactly.
HttpResponse RecordedResponse(const Interaction& interaction);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_REPLAY_MODE_H_
