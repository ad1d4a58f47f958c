// AutoMode: "record new episodes". A call whose key has a tape is answered from it by the replay
// rules (cursor per key, --order, --latency); a call with no tape is forwarded and recorded (as in
// record mode), and from then on replays.
#ifndef SSM_REPLAY_PROXY_MODES_AUTO_MODE_H_
#define SSM_REPLAY_PROXY_MODES_AUTO_MODE_H_

#include "proxy/replay/cursor_table.h"
#include "proxy/modes/mode.h"
#include "proxy/modes/record_mode.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"

namespace ssm {

class AutoMode : public Mode {
 public:
  // None owned; all must outlive the mode. `recorder` records on a miss (forward + record);
  // `player` must be the one that reads the store `recorder` writes, so a recorded tape is found next.
  // `sessions` holds the named sessions (null: every call walks the default session's `cursors`).
  AutoMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, RecordMode* recorder,
           SessionRegistry* sessions = nullptr);
  AutoMode(const AutoMode&) = delete;
  AutoMode& operator=(const AutoMode&) = delete;

  const char* name() const override { return "auto"; }
  ModeAnswer Handle(const SsmRequest& request) override;

 private:
  TapePlayer* player_;
  ReplayMode replay_;
  RecordMode* record_;
  SessionRegistry* sessions_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_AUTO_MODE_H_
