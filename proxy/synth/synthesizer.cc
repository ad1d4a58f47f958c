#include "proxy/synth/synthesizer.h"

#include <nlohmann/json.hpp>

#include "proxy/synth/invocation_answers.h"
#include "proxy/synth/poll_timeline.h"
#include "proxy/synth/seeded_ids.h"
#include "proxy/synth/send_command_answer.h"
#include "store/canonical_json.h"

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;

InvocationFacts FactsOf(const Scenario& s, const InvocationScenario& inv, size_t step) {
  const std::string& plugin = inv.plugins[step].name;
  InvocationFacts f;
  f.command_id = s.command_id;
  f.instance_id = inv.instance_id;
  f.comment = s.comment;
  f.document_name = s.document_name;
  f.document_version = s.document_version;
  f.plugin_name = plugin;
  f.stdout_url = S3OutputUrl(s.region, s.output_s3_bucket, s.output_s3_prefix, s.command_id, inv.instance_id,
                             plugin, step, "stdout");
  f.stderr_url = S3OutputUrl(s.region, s.output_s3_bucket, s.output_s3_prefix, s.command_id, inv.instance_id,
                             plugin, step, "stderr");
  f.cloudwatch_log_group = s.cloudwatch_log_group;
  return f;
}

// The tape for one plugin, keyed with `key_plugin` (nullopt: the plugin-less request).
Result<Tape> InvocationTape(const Scenario& s, const InvocationScenario& inv, size_t step,
                            const std::optional<std::string>& key_plugin) {
  const PluginOutcome& o = inv.plugins[step].outcome;
  std::string name = inv.instance_id + "/" + inv.plugins[step].name;
  auto timeline = PlanPolls(s, o, name);
  if (!timeline.ok()) return timeline.status();
  auto key = TapeKey::ForInvocation(s.command_id, inv.instance_id, key_plugin);
  if (!key.ok()) return key.status();
  Json request = {{"CommandId", s.command_id}, {"InstanceId", inv.instance_id}};
  if (key_plugin) request["PluginName"] = *key_plugin;
  auto canonical = CanonicalJsonOf(nlohmann::json(request));
  if (!canonical.ok()) return canonical.status();

  InvocationFacts facts = FactsOf(s, inv, step);
  std::string tape_name = name + (key_plugin ? "/keyed" : "/plain");
  Tape tape{*key, {}};
  for (size_t k = 0; k < o.states.size(); ++k) {
    const PollTimeline::Poll& p = timeline->polls[k];
    bool last = k + 1 == o.states.size();
    PollAnswer a;
    a.state = o.states[k];
    a.status_details = last ? o.status_details : StateName(a.state);
    a.response_code = last ? o.response_code : -1;
    a.answered_ms = p.answered_ms;
    bool started = timeline->started_ms && *timeline->started_ms <= p.answered_ms && a.state != InvocationState::kPending &&
                   a.state != InvocationState::kDelayed;
    if (started) a.started_ms = timeline->started_ms;
    if (last && timeline->ended_ms) {
      a.ended_ms = timeline->ended_ms;
      a.stdout_text = o.stdout_text;
      a.stderr_text = o.stderr_text;
    }
    Interaction i;
    i.action = kGetCommandInvocation;
    i.request_body = *canonical;
    i.recorded_at_ms = p.recorded_ms;
    i.upstream_latency_us = p.latency_us;
    i.source = kSynthSource;
    FillInvocationAnswer(facts, a, SeededUuid(s.seed, tape_name + "/request/" + std::to_string(k)), &i);
    tape.interactions.push_back(std::move(i));
  }
  return tape;
}

Result<Tape> SendCommandTape(const Scenario& s) {
  auto request = CompleteSendCommandRequest(s);
  if (!request.ok()) return request.status();
  auto canonical = CanonicalJsonOf(nlohmann::json(*request));
  if (!canonical.ok()) return canonical.status();
  auto key = TapeKey::ForAction("SendCommand", *canonical);
  if (!key.ok()) return key.status();
  Interaction i;
  i.action = "SendCommand";
  i.request_body = *canonical;
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"x-amzn-RequestId", SeededUuid(s.seed, "send-command/request")}};
  i.response_body = SendCommandResult(s, *request).dump(-1, ' ', false, Json::error_handler_t::replace);
  i.upstream_latency_us = SeededBetween(s.seed, "send-command/latency", 20000, 80000);
  i.recorded_at_ms = s.start_ms + i.upstream_latency_us / 2000;
  i.source = kSynthSource;
  return Tape{*key, {std::move(i)}};
}

}  // namespace

Result<std::vector<Tape>> Synthesize(const Scenario& s) {
  std::vector<Tape> tapes;
  if (s.send_command_request) {
    auto send = SendCommandTape(s);
    if (!send.ok()) return send.status();
    tapes.push_back(std::move(*send));
  }
  for (const InvocationScenario& inv : s.invocations) {
    for (size_t step = 0; step < inv.plugins.size(); ++step) {
      std::vector<std::optional<std::string>> keys;
      if (inv.plugins_named) keys.push_back(inv.plugins[step].name);
      // AWS answers a request without PluginName for a document with one plugin.
      if (inv.plugins.size() == 1) keys.push_back(std::nullopt);
      for (const auto& key_plugin : keys) {
        auto tape = InvocationTape(s, inv, step, key_plugin);
        if (!tape.ok()) return tape.status();
        tapes.push_back(std::move(*tape));
      }
    }
  }
  return tapes;
}

}  // namespace ssm
