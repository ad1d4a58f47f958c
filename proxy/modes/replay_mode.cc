#include "proxy/modes/replay_mode.h"

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "proxy/modes/miss_message.h"
#include "proxy/modes/session_use.h"
#include "proxy/replay/time_shift.h"
#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/ssm_validation.h"

namespace ssm {

Result<LatencyPolicy> LatencyPolicy::Parse(const std::string& text) {
  LatencyPolicy p;
  if (text == "none") return p;
  if (text == "recorded") {
    p.kind = Kind::kRecorded;
    return p;
  }
  if (text.compare(0, 6, "fixed:") == 0 && text.size() > 6) {
    const char* digits = text.c_str() + 6;
    char* end = nullptr;
    errno = 0;
    long long ms = std::strtoll(digits, &end, 10);
    if (*end == '\0' && errno == 0 && ms >= 0 && ms <= 600000 && digits[0] != '-') {
      p.kind = Kind::kFixed;
      p.fixed_us = ms * 1000;
      return p;
    }
  }
  return Status::InvalidArgument("bad --latency '" + text +
                                 "': use none, recorded, or fixed:MS (0 to 600000 milliseconds)");
}

std::string LatencyPolicy::ToString() const {
  switch (kind) {
    case Kind::kNone:
      return "none";
    case Kind::kRecorded:
      return "recorded";
    case Kind::kFixed:
      return "fixed:" + std::to_string(fixed_us / 1000);
  }
  return "none";
}

int64_t LatencyPolicy::DelayFor(const Interaction& interaction) const {
  switch (kind) {
    case Kind::kNone:
      return 0;
    case Kind::kRecorded:
      return interaction.upstream_latency_us > 0 ? interaction.upstream_latency_us : 0;
    case Kind::kFixed:
      return fixed_us;
  }
  return 0;
}

HttpResponse RecordedResponse(const Interaction& interaction) {
  HttpResponse response;
  response.status = interaction.status;
  response.headers = interaction.headers;
  response.body = interaction.response_body;
  return response;
}

ReplayMode::ReplayMode(TapePlayer* player, CursorTable* cursors, ReplayOptions options, SessionRegistry* sessions)
    : player_(player), cursors_(cursors), options_(std::move(options)), sessions_(sessions) {}

ModeAnswer ReplayMode::Handle(const SsmRequest& request) {
  std::shared_ptr<Session> session;
  if (std::optional<ModeAnswer> refused = UseSession(sessions_, request, &session)) return std::move(*refused);
  std::optional<ModeAnswer> answer = FromTape(request, session.get());
  return answer ? std::move(*answer) : Miss(request);
}

namespace {

// The answer when the store fails to give the tape of `request`.
ModeAnswer StoreFailed(const SsmRequest& request, const Status& status) {
  ModeAnswer answer;
  answer.outcome = Outcome::kError;
  answer.response = AwsError{500, "InternalServerError",
                             "ssm-replay could not read the tape for " + request.key.Describe() + ": " +
                                 status.ToString() + " (run `ssm-replay verify --store DIR`)"}
                        .ToResponse();
  return answer;
}

// The answer of entry `index` of a tape of `length` entries.
ModeAnswer Hit(const Interaction& entry, size_t index, size_t length, const LatencyPolicy& latency) {
  ModeAnswer answer;
  answer.outcome = Outcome::kHit;
  answer.response = RecordedResponse(entry);
  answer.delay_us = latency.DelayFor(entry);
  answer.step = index + 1;
  answer.steps = length;
  return answer;
}

}  // namespace

std::optional<ModeAnswer> ReplayMode::FromTape(const SsmRequest& request, Session* session) {
  const SessionSettings settings =
      session ? session->settings() : SessionSettings{options_.polls, options_.shift_times};
  const PollPolicy polls = PolicyForTape(settings.polls, request.key);
  // Collapsing needs every entry's outcome, shifting the first entry's time: the whole tape.
  if (settings.shift_times || polls == PollPolicy::kCollapse) {
    return FromWholeTape(request, session, settings.polls, settings.shift_times);
  }
  // The cursor steps once the tape's length is known, and only the entry it points at is decoded
  // (`final`: the last, the call counted all the same).
  Result<PlayedEntry> played = player_->Play(request.key, [&](size_t length) {
    const size_t index = Step(request, session, length).index;
    return polls == PollPolicy::kFinal ? length - 1 : index;
  });
  if (!played.ok()) {
    if (played.status().IsNotFound()) return std::nullopt;
    return StoreFailed(request, played.status());
  }
  return Hit(*played->entry, played->index, played->length, options_.latency);
}

std::optional<ModeAnswer> ReplayMode::FromWholeTape(const SsmRequest& request, Session* session, PollPolicy polls,
                                                    bool shift_times) {
  Result<std::shared_ptr<const Tape>> found = player_->Find(request.key);
  if (!found.ok()) {
    if (found.status().IsNotFound()) return std::nullopt;
    return StoreFailed(request, found.status());
  }
  const Tape& tape = *found.value();
  const size_t length = tape.interactions.size();
  const CursorStep step = Step(request, session, length);
  const size_t index =
      options_.order == ReplayOrder::kLast ? length - 1 : PollPlan::ForTape(polls, tape).EntryFor(step.call);
  ModeAnswer answer = Hit(tape.interactions[index], index, length, options_.latency);
  if (shift_times) {
    // One offset per tape and session: the tape's first answer moves to the session's first call on it.
    if (std::optional<int64_t> recorded = RecordedTimeMs(tape.interactions.front())) {
      answer.response.body = ShiftTimes(answer.response.body, step.first_call_ms - *recorded);
    }
  }
  return answer;
}

ModeAnswer ReplayMode::Miss(const SsmRequest& request) {
  return ReplayMissAnswer(request, player_, options_.nearest_keys);
}

}  // namespace ssm
