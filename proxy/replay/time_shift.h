// ShiftTimes: moves every date of a recorded Run Command answer by one offset, so a replayed
// command looks as if it ran just now (--shift-times). The offset is per tape and session: the
// moment of the session's first call on the tape minus the tape's recorded time (RecordedTimeMs of
// its first entry), so the recorded spacing between answers is kept.
//
// Dates are the members, at any depth, named as the SSM API model (botocore) names the dates of
// SendCommand, ListCommands, ListCommandInvocations and GetCommandInvocation answers:
//   epoch seconds (JSON numbers): RequestedDateTime, ExpiresAfter, ResponseStartDateTime,
//                                  ResponseFinishDateTime
//   ISO 8601 UTC strings:          ExecutionStartDateTime, ExecutionEndDateTime
// A number keeps its spelling: as many decimals as recorded (plain "1791969123.415"), or AWS's
// exponent form ("1.791969123415E9", mantissa without trailing zeros); a string keeps its form
// ("2026-10-14T10:03:15.944Z", as many fraction digits as recorded, "Z" or "+00:00"). A value of
// another shape (an empty string, "PT1.669S", a number too long to be a date) is left as it is, as
// is ExecutionElapsedTime. Only the date values' bytes change: spacing, member order and every other
// byte are the recorded ones, so the answer stays valid JSON.
#ifndef SSM_REPLAY_PROXY_REPLAY_TIME_SHIFT_H_
#define SSM_REPLAY_PROXY_REPLAY_TIME_SHIFT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/interaction.h"

namespace ssm {

// Offsets beyond this (about 3,000 years) are no clock difference but a damaged tape; ShiftTimes
// leaves bodies unchanged for them.
inline constexpr int64_t kMaxTimeShiftMs = int64_t{100'000'000'000'000};

// `body` with every date moved by `offset_ms` milliseconds (negative: earlier). A body that is not
// valid JSON, an offset of 0 or beyond kMaxTimeShiftMs, gives `body` unchanged; so does a date whose
// shifted value would leave years 0000-9999.
std::string ShiftTimes(std::string_view body, int64_t offset_ms);

// When `entry` was recorded, Unix epoch milliseconds: its recorded_at_ms, or for an entry without
// one (0), the earliest date in its body; nullopt when neither is known.
std::optional<int64_t> RecordedTimeMs(const Interaction& entry);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_TIME_SHIFT_H_
