#include "proxy/modes/forwarding_modes.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include <spdlog/spdlog.h>

#include "proxy/aws/aws_region.h"
#include "proxy/aws/credentials/credential_chain.h"
#include "proxy/aws/credentials/refreshing_credentials.h"
#include "proxy/record/batching_recorder.h"
#include "proxy/aws/https_upstream.h"
#include "proxy/modes/auto_mode.h"
#include "proxy/modes/passthrough_mode.h"
#include "proxy/modes/record_mode.h"
#include "proxy/record/redactor.h"

namespace ssm {
namespace {

// Owns a forwarding mode and what it is built on, destroyed in the right order (the mode before the
// recorder it records through, the recorder, which commits what is queued, before the upstream).
class OwningMode : public Mode {
 public:
  const char* name() const override { return mode->name(); }
  ModeAnswer Handle(const SsmRequest& request) override { return mode->Handle(request); }
  bool ReadsRequestHeaders() const override { return mode->ReadsRequestHeaders(); }
  void AddHealth(nlohmann::json* health) const override;
  void AddMetrics(std::string* text) const override;

  std::shared_ptr<RefreshingCredentials> credentials;  // null when auto mode runs without any
  std::unique_ptr<Upstream> upstream;
  std::unique_ptr<Redactor> redactor;
  std::unique_ptr<BatchingRecorder> recorder;
  std::unique_ptr<RecordMode> record;
  std::unique_ptr<Mode> top;  // auto mode, on top of `record`
  Mode* mode = nullptr;       // what Handle calls: `record`, `top`, or a passthrough in `top`

  ~OwningMode() override {
    top.reset();
    record.reset();
    recorder.reset();
    upstream.reset();
    credentials.reset();
  }
};

// The credentials' provider, expiry and refresh counts; "none" when auto mode runs without any.
void OwningMode::AddHealth(nlohmann::json* health) const {
  if (record != nullptr) record->AddHealth(health);
  if (credentials == nullptr) {
    (*health)["credentials"] = {{"provider", "none"}};
    return;
  }
  const CredentialStatus status = credentials->status();
  (*health)["credentials"] = {{"provider", status.provider},
                              {"source", status.source},
                              {"key", status.key_hint},
                              {"expiration", status.expiration == 0 ? "never" : FormatIso8601(status.expiration)},
                              {"refreshes", status.refreshes},
                              {"failed_refreshes", status.failed_refreshes}};
}

void OwningMode::AddMetrics(std::string* text) const {
  if (record != nullptr) record->AddMetrics(text);
  if (credentials == nullptr) return;
  const CredentialStatus status = credentials->status();
  *text += "# HELP ssm_replay_credential_refreshes_total Temporary AWS credentials refreshed.\n"
           "# TYPE ssm_replay_credential_refreshes_total counter\n"
           "ssm_replay_credential_refreshes_total " + std::to_string(status.refreshes) + "\n"
           "# HELP ssm_replay_credential_refresh_failures_total Refreshes that failed (old credentials kept).\n"
           "# TYPE ssm_replay_credential_refresh_failures_total counter\n"
           "ssm_replay_credential_refresh_failures_total " + std::to_string(status.failed_refreshes) + "\n"
           "# HELP ssm_replay_credential_expiry_seconds When the signing credentials expire (Unix time; 0: never).\n"
           "# TYPE ssm_replay_credential_expiry_seconds gauge\n"
           "ssm_replay_credential_expiry_seconds " + std::to_string(status.expiration) + "\n";
}

// Stands in for credentials in auto mode when there are none: every forwarded call gets a 502 saying why.
class MissingCredentials : public CredentialSource {
 public:
  explicit MissingCredentials(Status why) : why_(std::move(why)) {}
  Result<AwsCredentials> Current() override { return why_; }

 private:
  const Status why_;
};

// The refresh window: 5 minutes, or SSM_REPLAY_CREDENTIAL_REFRESH_WINDOW_S (seconds; for tests that
// compress an hour of credential lifetime into seconds).
RefreshOptions RefreshOptionsFrom(const EnvLookup& env) {
  RefreshOptions options;
  std::optional<std::string> window = env("SSM_REPLAY_CREDENTIAL_REFRESH_WINDOW_S");
  if (window && !window->empty()) {
    options.window_s = std::strtol(window->c_str(), nullptr, 10);
    options.retry_after_failure_s = std::max<std::time_t>(1, options.window_s / 4);
  }
  return options;
}

// The region, and the credentials forwarded calls are signed with.
struct Signing {
  std::string region;
  std::shared_ptr<RefreshingCredentials> refreshing;  // null: auto mode without credentials
  std::shared_ptr<CredentialSource> source;           // what the upstream asks on every call
  AwsCredentials first;                               // for the redactor and the start-up line
};

// Finds both as the AWS CLI would (--profile, the environment, the config files). Without credentials,
// record and passthrough cannot start; auto mode starts (its tapes need none) and answers misses 502.
Result<Signing> ResolveSigning(const std::string& mode_name, const ForwardingArgs& args, const EnvLookup& env) {
  const std::string signs = "--mode " + mode_name + " signs requests with your AWS credentials: ";
  Result<CredentialContext> context = MakeCredentialContext(env, args.profile, "");
  if (!context.ok()) return Status::InvalidArgument(signs + context.status().message());
  Result<std::string> region =
      ResolveRegion(args.region, env, ValueOf(context->files.Profile(context->profile), "region"));
  if (!region.ok()) return Status::InvalidArgument("--mode " + mode_name + ": " + region.status().message());
  context->region = region.value();

  Signing signing;
  signing.region = region.value();
  auto chain = std::make_unique<CredentialChain>(DefaultProviders(context.value()));
  Result<std::shared_ptr<RefreshingCredentials>> refreshing =
      RefreshingCredentials::Create(std::move(chain), RefreshOptionsFrom(env));
  if (refreshing.ok()) {
    signing.refreshing = refreshing.value();
    signing.source = refreshing.value();
    signing.first = refreshing.value()->Current().value();
    return signing;
  }
  if (mode_name != "auto" || !refreshing.status().IsNotFound()) {
    return Status::InvalidArgument(signs + refreshing.status().message());
  }
  spdlog::warn("auto mode: {}; calls with no tape will be answered 502", refreshing.status().message());
  signing.source = std::make_shared<MissingCredentials>(refreshing.status());
  return signing;
}

}  // namespace

bool IsForwardingMode(const std::string& mode) {
  const auto& names = ForwardingModeNames();
  return std::find(names.begin(), names.end(), mode) != names.end();
}

Result<ForwardingPlan> PlanForwarding(const std::string& mode_name, const ForwardingArgs& args,
                                      const EnvLookup& env) {
  if (!IsForwardingMode(mode_name)) return Status::InvalidArgument("not a forwarding mode: " + mode_name);
  Result<Signing> signing = ResolveSigning(mode_name, args, env);
  if (!signing.ok()) return signing.status();
  const AwsCredentials& credentials = signing->first;

  ForwardingPlan plan;
  plan.mode_name = mode_name;
  plan.args = args;
  plan.credentials = signing->refreshing;
  RedactorOptions redact_options;
  redact_options.secrets = {credentials.access_key_id, credentials.secret_access_key, credentials.session_token};
  redact_options.patterns = args.redact;
  Result<Redactor> redactor = Redactor::Create(redact_options);
  if (!redactor.ok()) return redactor.status();
  plan.redactor = std::make_unique<Redactor>(std::move(redactor).value());
  if (plan.credentials) {
    // Refreshed credentials bring a new secret and token: the redactor removes those from then on too.
    plan.credentials->SetListener([secrets = plan.redactor->known_secrets()](const AwsCredentials& fresh) {
      secrets->Learn({fresh.access_key_id, fresh.secret_access_key, fresh.session_token});
    });
  }

  HttpsUpstreamOptions upstream_options;
  upstream_options.url = args.upstream;
  upstream_options.region = signing->region;
  upstream_options.ca_file = args.ca_file;
  upstream_options.timeout_s = args.upstream_timeout_s;
  const std::string source = signing->refreshing ? credentials.source : "nowhere (none found)";
  const std::string key_hint = RedactedKeyId(credentials);
  Result<std::unique_ptr<HttpsUpstream>> upstream = HttpsUpstream::Create(upstream_options, signing->source);
  if (!upstream.ok()) return upstream.status();
  plan.summary = "forwarding to " + (*upstream)->url() + " (region " + signing->region +
                 "), signing with credentials from " + source + " (" + key_hint + ")";
  plan.upstream = std::move(upstream).value();
  return plan;
}

std::unique_ptr<Mode> BuildForwardingMode(ForwardingPlan plan, TapeStore* store, TapePlayer* player,
                                          CursorTable* cursors, const ReplayOptions& replay,
                                          SessionRegistry* sessions) {
  auto owning = std::make_unique<OwningMode>();
  owning->credentials = std::move(plan.credentials);
  owning->upstream = std::move(plan.upstream);
  owning->redactor = std::move(plan.redactor);
  std::string recording;
  if (plan.mode_name == "passthrough") {
    owning->top = std::make_unique<PassthroughMode>(owning->upstream.get());
    owning->mode = owning->top.get();
  } else {
    BatchingRecorderOptions recorder_options;
    recorder_options.append = plan.args.append;
    owning->recorder = std::make_unique<BatchingRecorder>(store, recorder_options);
    owning->record = std::make_unique<RecordMode>(owning->upstream.get(), owning->recorder.get(),
                                                  owning->redactor.get());
    owning->record->set_forward_on_store_error(plan.args.forward_on_store_error);
    owning->record->set_sessions(sessions);
    if (plan.mode_name == "auto") {
      owning->top = std::make_unique<AutoMode>(player, cursors, replay, owning->record.get(), sessions);
      owning->mode = owning->top.get();
    } else {
      owning->mode = owning->record.get();
    }
    recording = plan.args.append ? "; recording, appending to existing tapes"
                                 : "; recording, the first call per key in this run replaces its tape";
    recording += plan.args.no_fsync
                     ? "; commits not synced (--no-fsync: safe against a killed process, not an OS crash)"
                     : "; each commit synced to disk before clients are answered";
  }
  spdlog::info("{} mode: {}{}", plan.mode_name, plan.summary, recording);
  return owning;
}

}  // namespace ssm
