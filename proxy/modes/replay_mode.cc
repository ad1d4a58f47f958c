#include "proxy/modes/replay_mode.h"

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "proxy/modes/session_use.h"
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

std::optional<ModeAnswer> ReplayMode::FromTape(const SsmRequest& request, Session* session) {
  // The cursor steps once the tape's length is known, and only the entry it points at is decoded.
  Result<PlayedEntry> played = player_->Play(request.key, [&](size_t length) {
    CursorStep step = session ? session->Next(request.key, length, options_.order)
                              : cursors_->Next(request.key, length, options_.order);
    return step.index;
  });
  ModeAnswer answer;
  if (!played.ok()) {
    if (played.status().IsNotFound()) return std::nullopt;
    answer.outcome = Outcome::kError;
    answer.response = AwsError{500, "InternalServerError",
                               "ssm-replay could not read the tape for " + request.key.Describe() + ": " +
                                   played.status().ToString() + " (run `ssm-replay verify --store DIR`)"}
                          .ToResponse();
    return answer;
  }
  const Interaction& entry = *played->entry;
  answer.outcome = Outcome::kHit;
  answer.response = RecordedResponse(entry);
  answer.delay_us = options_.latency.DelayFor(entry);
  answer.step = played->index + 1;
  answer.steps = played->length;
  return answer;
}

ModeAnswer ReplayMode::Miss(const SsmRequest& request) {
  ModeAnswer answer;
  answer.outcome = Outcome::kMiss;
  if (std::optional<AwsError> invalid = ValidateSsmRequest(request.action, request.json())) {
    answer.response = invalid->ToResponse();
    return answer;
  }
  std::string message = "No recorded tape for " + request.key.Describe() + ".";
  if (!request.key.is_invocation()) message += " Request: " + request.canonical_body.substr(0, 512) + ".";
  std::vector<TapeKey> nearest = player_->Nearest(request.key, options_.nearest_keys);
  if (nearest.empty()) {
    message += request.key.is_invocation()
                   ? " No tape is recorded for CommandId " + request.key.command_id() + "."
                   : " No tape is recorded for " + request.action + ".";
  } else {
    message += " Nearest recorded keys: ";
    for (size_t i = 0; i < nearest.size(); ++i) {
      if (i > 0) message += "; ";
      message += nearest[i].Describe();
    }
    message += ".";
  }
  message += " Record it with `ssm-replay serve --mode record` or import a tape file for this key.";
  answer.response = AwsError{404, "ReplayMissException", std::move(message)}.ToResponse();
  return answer;
}

}  // namespace ssm
