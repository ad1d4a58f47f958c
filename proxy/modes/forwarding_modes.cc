#include "proxy/modes/forwarding_modes.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "proxy/aws/aws_region.h"
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
  }
};

}  // namespace

bool IsForwardingMode(const std::string& mode) {
  const auto& names = ForwardingModeNames();
  return std::find(names.begin(), names.end(), mode) != names.end();
}

Result<ForwardingPlan> PlanForwarding(const std::string& mode_name, const ForwardingArgs& args,
                                      const EnvLookup& env) {
  if (!IsForwardingMode(mode_name)) return Status::InvalidArgument("not a forwarding mode: " + mode_name);
  Result<std::string> region = ResolveRegion(args.region, env);
  if (!region.ok()) return Status::InvalidArgument("--mode " + mode_name + ": " + region.status().message());
  Result<AwsCredentials> credentials = ResolveCredentials(env);
  if (!credentials.ok()) {
    return Status::InvalidArgument("--mode " + mode_name + " signs requests with your AWS credentials: " +
                                   credentials.status().message());
  }

  ForwardingPlan plan;
  plan.mode_name = mode_name;
  plan.args = args;
  RedactorOptions redact_options;
  redact_options.secrets = {credentials->access_key_id, credentials->secret_access_key,
                            credentials->session_token};
  redact_options.patterns = args.redact;
  Result<Redactor> redactor = Redactor::Create(redact_options);
  if (!redactor.ok()) return redactor.status();
  plan.redactor = std::make_unique<Redactor>(std::move(redactor).value());

  HttpsUpstreamOptions upstream_options;
  upstream_options.url = args.upstream;
  upstream_options.region = region.value();
  upstream_options.ca_file = args.ca_file;
  upstream_options.timeout_s = args.upstream_timeout_s;
  std::string source = credentials->source;
  std::string key_hint = RedactedKeyId(credentials.value());
  Result<std::unique_ptr<HttpsUpstream>> upstream =
      HttpsUpstream::Create(upstream_options, std::move(credentials).value());
  if (!upstream.ok()) return upstream.status();
  plan.summary = "forwarding to " + (*upstream)->url() + " (region " + region.value() +
                 "), signing with credentials from " + source + " (" + key_hint + ")";
  plan.upstream = std::move(upstream).value();
  return plan;
}

std::unique_ptr<Mode> BuildForwardingMode(ForwardingPlan plan, TapeStore* store, TapePlayer* player,
                                          CursorTable* cursors, const ReplayOptions& replay) {
  auto owning = std::make_unique<OwningMode>();
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
    if (plan.mode_name == "auto") {
      owning->top = std::make_unique<AutoMode>(player, cursors, replay, owning->record.get());
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
