// ssm-replay synth: GetCommandInvocation tapes (and the SendCommand that starts them) from a scenario,
// without AWS: the flags describe one command on one or more instances, --scenario FILE.json several
// outcomes at once. The flags are turned into the scenario JSON the file would hold, so both are
// checked by one parser (proxy/synth/scenario.h) and its errors name the flag. Exit status: 0 written;
// 1 the store or files could not be written; 2 bad input (nothing written).
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "proxy/ssm/waiter_lint.h"
#include "proxy/synth/scenario.h"
#include "proxy/synth/synthesizer.h"
#include "store/tape_file/tape_file.h"
#include "store/write_batch.h"
#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

constexpr int kBadInput = 2;

struct SynthOptions {
  std::string out, store, scenario;
  std::string command_id, document_name, states, status_details, stdout_text, stderr_text;
  std::string response_code, poll_interval, duration, start, seed, comment, region, send_command;
  std::vector<std::string> instance_ids, plugins;
};

[[noreturn]] void BadInput(const std::string& message) { Fail("synth", message, kBadInput); }

Json Number(const std::string& flag, const std::string& text, bool whole) {
  char* end = nullptr;
  errno = 0;
  if (whole) {
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0' && errno == 0) return v;
    BadInput(flag + ": '" + text + "' is not a whole number");
  }
  double v = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0' && errno == 0) return v;
  BadInput(flag + ": '" + text + "' is not a number of seconds (e.g. 5 or 0.5)");
}

// The scenario JSON the flags describe (see README "Synthesizing tapes").
Json ScenarioFromFlags(const CLI::App& cmd, const SynthOptions& o) {
  Json doc = Json::object();
  auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  if (given("--seed")) {
    Json seed = Number("--seed", o.seed, true);
    if (seed.get<long long>() < 0) BadInput("--seed: must be 0 or more");
    doc["seed"] = seed.get<uint64_t>();
  }
  std::pair<const char*, std::pair<const char*, const std::string*>> strings[] = {
      {"--command-id", {"commandId", &o.command_id}}, {"--start", {"start", &o.start}},
      {"--document-name", {"documentName", &o.document_name}}, {"--comment", {"comment", &o.comment}},
      {"--region", {"region", &o.region}}};
  for (const auto& [flag, member] : strings) {
    if (given(flag)) doc[member.first] = *member.second;
  }
  if (given("--poll-interval")) doc["pollInterval"] = Number("--poll-interval", o.poll_interval, false);
  if (given("--send-command")) {
    if (o.send_command.empty()) {
      doc["sendCommand"] = true;
    } else {
      std::string text = o.send_command;
      if (text[0] == '@') {
        std::ifstream in(text.substr(1), std::ios::binary);
        if (!in) BadInput("--send-command: cannot read " + text.substr(1));
        std::ostringstream all;
        all << in.rdbuf();
        text = all.str();
      }
      Json request = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (!request.is_object()) BadInput("--send-command: give the SendCommand request the client sends, as a JSON "
                                         "object (or @FILE), e.g. '{\"Parameters\":{\"commands\":[\"uptime\"]}}'");
      doc["sendCommand"] = request;
    }
  }
  Json invocation = Json::object();
  std::pair<const char*, std::pair<const char*, const std::string*>> outcome[] = {
      {"--states", {"states", &o.states}}, {"--status-details", {"statusDetails", &o.status_details}},
      {"--stdout", {"stdout", &o.stdout_text}}, {"--stderr", {"stderr", &o.stderr_text}}};
  for (const auto& [flag, member] : outcome) {
    if (given(flag)) doc[member.first] = *member.second;
  }
  if (given("--response-code")) doc["responseCode"] = Number("--response-code", o.response_code, true);
  if (given("--duration")) doc["duration"] = Number("--duration", o.duration, false);
  if (!o.plugins.empty()) doc["plugins"] = o.plugins;
  doc["invocations"] = Json::array();
  if (o.instance_ids.empty()) doc["invocations"].push_back({{"count", 1}});
  for (const auto& id : o.instance_ids) doc["invocations"].push_back({{"instanceId", id}});
  return doc;
}

// Tapes a default command_executed waiter would never end, or give up on: synth writes them (a
// scenario may be meant to break a waiter) and says so, as `lint` will.
void NoteLintWarnings(const std::vector<Tape>& tapes) {
  size_t warned = 0;
  for (const Tape& tape : tapes) {
    if (!tape.key.is_invocation()) continue;
    WaiterLintResult r = LintCommandExecuted(tape);
    if (!r.warning()) continue;
    if (++warned <= 5) std::cerr << "ssm-replay synth: note: " << tape.key.Describe() << ": " << r.message << "\n";
  }
  if (warned > 5) std::cerr << "ssm-replay synth: note: ... and " << warned - 5 << " more tapes like these\n";
  if (warned) std::cerr << "ssm-replay synth: note: `lint` will warn about these tapes\n";
}

void WriteToStore(const std::string& dir, std::vector<Tape> tapes) {
  auto store = OpenStoreOrFail("synth", dir, StoreAccess::kCreate);
  WriteBatch batch;
  for (Tape& tape : tapes) batch.ReplaceTape(tape.key, std::move(tape.interactions));
  Status s = store->Write(batch);
  if (!s.ok()) Fail("synth", "writing to the store failed: " + s.message());
}

void WriteFile(const fs::path& path, const Tape& tape) {
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) Fail("synth", "cannot create " + path.parent_path().string() + ": " + ec.message());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << FormatTapeFile(tape);
  out.close();
  if (!out) Fail("synth", "cannot write " + path.string());
}

// --out FILE.json: the one tape; --out DIR: each tape where `export` would put it.
void WriteTapeFiles(const std::string& out, const std::vector<Tape>& tapes) {
  bool one_file = out.size() > 5 && out.compare(out.size() - 5, 5, ".json") == 0;
  if (one_file && tapes.size() != 1) {
    BadInput("--out " + out + ": a tape file holds one tape and this scenario makes " + std::to_string(tapes.size()) +
             " (a tape per plugin, the plugin-less one, SendCommand's); give a folder instead");
  }
  if (one_file) return WriteFile(out, tapes[0]);
  for (const Tape& tape : tapes) WriteFile(fs::path(out) / TapeFileName(tape.key), tape);
}

void RunSynth(const CLI::App& cmd, const SynthOptions& o) {
  if (o.out.empty() == o.store.empty()) BadInput("give exactly one of --out FILE.json|DIR and --store DIR");
  Result<Scenario> scenario = Status::InvalidArgument("");
  if (!o.scenario.empty()) {
    for (const char* flag : {"--command-id", "--instance-id", "--plugin", "--document-name", "--states",
                             "--status-details", "--stdout", "--stderr", "--response-code", "--poll-interval",
                             "--duration", "--start", "--seed", "--comment", "--region", "--send-command"}) {
      if (cmd.count(flag)) BadInput(std::string(flag) + ": with --scenario, put it in the scenario file");
    }
    scenario = ReadScenarioFile(o.scenario);
  } else {
    scenario = ParseScenario(ScenarioFromFlags(cmd, o), ScenarioNaming::Flags());
  }
  if (!scenario.ok()) BadInput(scenario.status().message());
  auto tapes = Synthesize(*scenario);
  if (!tapes.ok()) BadInput(tapes.status().message());
  size_t count = tapes->size(), interactions = 0;
  for (const Tape& t : *tapes) interactions += t.interactions.size();
  NoteLintWarnings(*tapes);
  if (!o.store.empty()) {
    WriteToStore(o.store, std::move(*tapes));
  } else {
    WriteTapeFiles(o.out, *tapes);
  }
  std::cout << "synthesized " << count << (count == 1 ? " tape (" : " tapes (") << interactions
            << " interactions) of CommandId "
            << scenario->command_id << " into " << (o.store.empty() ? o.out : o.store) << "\n";
}

CommandRegistration registration(19, [](CLI::App& app) {
  auto o = std::make_shared<SynthOptions>();
  auto* cmd = app.add_subcommand(
      "synth",
      "Write GetCommandInvocation tapes (and optionally the SendCommand that starts them) from a scenario, "
      "answers shaped exactly as AWS's, without AWS.\nExit status: 0 written; 1 could not write; 2 bad input "
      "(nothing written).");
  cmd->add_option("--out", o->out, "Write a tape file (FILE.json, one tape) or a folder of them (as export does)")
      ->type_name("PATH");
  cmd->add_option("--store", o->store, "Write into this store instead (created if missing)")
      ->type_name("DIR");
  cmd->add_option("--scenario", o->scenario, "A scenario file (JSON, several invocations; README documents it)")
      ->type_name("FILE.json");
  cmd->add_option("--command-id", o->command_id, "CommandId (default: a UUID from --seed)")
      ->type_name("ID");
  cmd->add_option("--instance-id", o->instance_ids, "Instance (repeatable; default: an id from --seed)")
      ->type_name("ID");
  cmd->add_option("--plugin", o->plugins, "PluginName (repeatable: a tape per plugin, plus the plugin-less one "
                                          "for a single plugin; default: the document's own, aws:runShellScript)")
      ->type_name("NAME");
  cmd->add_option("--document-name", o->document_name, "Document (default AWS-RunShellScript)")
      ->type_name("NAME");
  cmd->add_option("--states", o->states, "Answers in poll order, comma-separated, each optionally *N: "
                                         "InvocationDoesNotExist, Pending, InProgress, Delayed, Success, Failed, "
                                         "Cancelled, Cancelling, TimedOut (default Pending,InProgress,Success)")
      ->type_name("LIST");
  cmd->add_option("--status-details", o->status_details, "StatusDetails of the terminal state, e.g. "
                                                         "DeliveryTimedOut, ExecutionTimedOut, Undeliverable, Terminated")
      ->type_name("DETAILS");
  cmd->add_option("--stdout", o->stdout_text, "Output of the plugin: TEXT or @FILE (cut at 24,000 characters)")
      ->type_name("TEXT|@FILE");
  cmd->add_option("--stderr", o->stderr_text, "Error output: TEXT or @FILE (cut at 8,000 characters)")
      ->type_name("TEXT|@FILE");
  cmd->add_option("--response-code", o->response_code, "Exit code (default 0 Success, 1 Failed, 137 TimedOut or "
                                                       "Cancelled while running, -1 never ran)")
      ->type_name("N");
  cmd->add_option("--poll-interval", o->poll_interval, "Seconds between polls (default 5, the waiter's delay)")
      ->type_name("S");
  cmd->add_option("--duration", o->duration, "Seconds the plugin ran (default: fits between the polls)")
      ->type_name("S");
  cmd->add_option("--start", o->start, "When SendCommand was answered, ISO 8601 UTC (default 2026-10-14T09:00:00Z)")
      ->type_name("ISO8601");
  cmd->add_option("--seed", o->seed, "Seed for ids, latencies and times (default 1): same seed, same bytes")
      ->type_name("N");
  cmd->add_option("--comment", o->comment, "The command's Comment")
      ->type_name("TEXT");
  cmd->add_option("--region", o->region, "Region for OutputS3Region (default us-east-1)")
      ->type_name("REGION");
  cmd->add_option("--send-command", o->send_command,
                  "Also write the SendCommand answer; optionally the request the client sends (JSON or @FILE; "
                  "DocumentName and InstanceIds are filled in)")
      ->expected(0, 1)
      ->type_name("[JSON|@FILE]");
  cmd->callback([cmd, o] { RunSynth(*cmd, *o); });
});

}  // namespace
}  // namespace ssm
