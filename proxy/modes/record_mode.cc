#include "proxy/modes/record_mode.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>

#include "proxy/modes/session_use.h"
#include "store/canonical_json.h"
#include "store/interaction.h"
#include "store/tape_key.h"

namespace ssm {

RecordMode::RecordMode(Upstream* upstream, Recorder* recorder, const Redactor* redactor, Clock clock)
    : upstream_(upstream), recorder_(recorder), redactor_(redactor), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
}

namespace {

ModeAnswer ErrorAnswer(HttpResponse response) {
  ModeAnswer answer;
  answer.response = std::move(response);
  answer.outcome = Outcome::kError;
  return answer;
}

}  // namespace

ModeAnswer RecordMode::Handle(const SsmRequest& request) {
  std::shared_ptr<Session> session;
  if (std::optional<ModeAnswer> refused = UseSession(sessions_, request, &session)) return std::move(*refused);
  return Record(request, session.get());
}

ModeAnswer RecordMode::Record(const SsmRequest& request, Session* session) {
  UpstreamResult forwarded = upstream_->Forward(request);
  if (!forwarded.ok()) {
    spdlog::warn("record: {} for {} not recorded: {}", forwarded.error.type, request.key.Describe(),
                 forwarded.error.message);
    return ErrorAnswer(forwarded.error.ToResponse());
  }
  const UpstreamResponse& up = *forwarded.response;
  if (IsAuthenticationFailure(up)) return CredentialsRefused(request, up);

  Interaction interaction = ToInteraction(request, up);
  Result<TapeKey> key = KeyAfterRedaction(request, &interaction);
  if (!key.ok()) {
    return ErrorAnswer(AwsError{500, "RecordFailedException",
                                "ssm-replay could not key the redacted " + request.action + " request: " +
                                    key.status().ToString()}
                           .ToResponse());
  }
  Status recorded = recorder_->Record(key.value(), std::move(interaction));
  if (recorded.ok() && session != nullptr) session->NoteWritten(key.value());
  if (!recorded.ok()) store_errors_.fetch_add(1, std::memory_order_relaxed);
  if (!recorded.ok() && forward_on_store_error_) {
    spdlog::error("record: could not record {} {}: {}; the client got upstream's answer anyway "
                  "(--on-store-error forward), this call is not on tape",
                  request.action, request.key.Describe(), recorded.ToString());
    ModeAnswer answer;
    answer.response = ClientResponse(request, up);
    answer.outcome = Outcome::kForwarded;
    return answer;
  }
  if (!recorded.ok()) {
    // The client must not see an answer that is not on tape: it retries instead.
    spdlog::error("record: could not record {} {}: {}", request.action, request.key.Describe(),
                  recorded.ToString());
    return ErrorAnswer(AwsError{500, "RecordFailedException",
                                "ssm-replay got upstream's answer but could not record it, so it is withheld: " +
                                    recorded.ToString()}
                           .ToResponse());
  }
  ModeAnswer answer;
  answer.response = ClientResponse(request, up);
  answer.outcome = Outcome::kRecorded;
  return answer;
}

ModeAnswer RecordMode::CredentialsRefused(const SsmRequest& request, const UpstreamResponse& up) const {
  // Only the error type is logged: AWS's message may quote the canonical request, token included.
  spdlog::error(
      "record: upstream {} refused the operator's credentials with {} {} for {}; NOT recorded. Check "
      "the credentials ssm-replay signs with (environment or shared credentials file), their expiry, "
      "the region, and the machine's clock.",
      upstream_->url(), up.status, AwsErrorType(up).empty() ? "(no error type)" : AwsErrorType(up),
      request.action);
  HttpResponse response = ClientResponse(request, up);
  // The client gets the refusal, but never the operator's secrets an error message might echo.
  response.body = redactor_->RedactBody(up.body);
  for (auto it = response.headers.begin(); it != response.headers.end();) {
    it = it->first == "Content-Encoding" ? response.headers.erase(it) : it + 1;
  }
  return ErrorAnswer(std::move(response));
}

Interaction RecordMode::ToInteraction(const SsmRequest& request, const UpstreamResponse& up) const {
  Interaction interaction;
  interaction.action = request.action;
  interaction.request_body = request.canonical_body;
  interaction.status = up.status;
  interaction.headers = StorableHeaders(up.headers);
  interaction.response_body = up.body;
  interaction.recorded_at_ms = clock_();
  interaction.upstream_latency_us = up.latency_us;
  interaction.source = "record " + upstream_->url();
  redactor_->RedactInteraction(&interaction);
  return interaction;
}

Result<TapeKey> RecordMode::KeyAfterRedaction(const SsmRequest& request, Interaction* interaction) const {
  // An action tape's key holds its request body, and the store keeps that body with the tape: when
  // redaction changed the request, the tape goes under the redacted request's key, so the secret is
  // stored nowhere (the price: only requests with the redacted text in place replay from it).
  if (request.key.is_invocation() || interaction->request_body == request.canonical_body) return request.key;
  Result<std::string> canonical = CanonicalJson(interaction->request_body);
  if (!canonical.ok()) return canonical.status();
  Result<TapeKey> key = TapeKey::ForAction(request.action, canonical.value());
  if (!key.ok()) return key.status();
  interaction->request_body = std::move(canonical).value();
  spdlog::warn("record: the {} request contained text that is redacted; its tape is keyed on the redacted "
               "request ({}), so replay answers it only for requests that match after redaction",
               request.action, key->Describe());
  return key;
}

void RecordMode::AddHealth(nlohmann::json* health) const {
  const uint64_t errors = store_errors();
  if (errors == 0) return;
  (*health)["status"] = "degraded";
  (*health)["store_errors"] = errors;
}

void RecordMode::AddMetrics(std::string* text) const {
  *text += "# HELP ssm_replay_store_errors_total Answers from AWS that could not be recorded.\n"
           "# TYPE ssm_replay_store_errors_total counter\n"
           "ssm_replay_store_errors_total " + std::to_string(store_errors()) + "\n";
}

}  // namespace ssm
