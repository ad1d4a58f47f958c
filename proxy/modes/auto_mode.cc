#include "proxy/modes/auto_mode.h"

#include <optional>
#include <utility>

namespace ssm {

AutoMode::AutoMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, RecordMode* recorder)
    : player_(player), replay_(player, cursors, std::move(options)), record_(recorder) {}

ModeAnswer AutoMode::Handle(const SsmRequest& request) {
  // A hit, or a store error the replay path reports: answered by the replay rules, in one lookup.
  if (std::optional<ModeAnswer> replayed = replay_.FromTape(request)) return std::move(*replayed);
  ModeAnswer answer = record_->Handle(request);
  // The next call for this key must see the tape just recorded, not a cached, shorter copy.
  if (answer.outcome == Outcome::kRecorded) player_->Invalidate(request.key);
  return answer;
}

}  // namespace ssm
