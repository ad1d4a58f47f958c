#include "proxy/modes/auto_mode.h"

#include <memory>
#include <optional>
#include <utility>

#include "proxy/modes/session_use.h"

namespace ssm {

AutoMode::AutoMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, RecordMode* recorder,
                   SessionRegistry* sessions)
    : player_(player), replay_(player, cursors, std::move(options)), record_(recorder), sessions_(sessions) {}

ModeAnswer AutoMode::Handle(const SsmRequest& request) {
  std::shared_ptr<Session> session;
  if (std::optional<ModeAnswer> refused = UseSession(sessions_, request, &session)) return std::move(*refused);
  // A hit, or a store error the replay path reports: answered by the replay rules (the session's
  // cursors), in one lookup.
  if (std::optional<ModeAnswer> replayed = replay_.FromTape(request, session.get())) return std::move(*replayed);
  ModeAnswer answer = record_->Record(request, session.get());
  // The next call for this key must see the tape just recorded, not a cached, shorter copy.
  if (answer.outcome == Outcome::kRecorded) player_->Invalidate(request.key);
  return answer;
}

}  // namespace ssm
