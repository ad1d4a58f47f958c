#include "proxy/modes/auto_mode.h"

#include <utility>

namespace ssm {

AutoMode::AutoMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, RecordMode* recorder)
    : player_(player), replay_(player, cursors, std::move(options)), record_(recorder) {}

ModeAnswer AutoMode::Handle(const SsmRequest& request) {
  Result<std::shared_ptr<const Tape>> found = player_->Find(request.key);
  if (found.ok() || !found.status().IsNotFound()) {
    // A hit, or a store error the replay path reports; the tape is cached, so this Find is cheap.
    return replay_.Handle(request);
  }
  ModeAnswer answer = record_->Handle(request);
  // The next call for this key must read the tape just recorded, not a cached miss.
  if (answer.outcome == Outcome::kRecorded) player_->Invalidate(request.key);
  return answer;
}

}  // namespace ssm
