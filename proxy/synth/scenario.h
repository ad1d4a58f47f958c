// Scenario: what `ssm-replay synth` is asked to write -- one command, the instances it ran on, and per
// instance and plugin the states GetCommandInvocation answers poll after poll and how it ends -- and
// its JSON form (the `--scenario FILE.json` file; the command line's flags are turned into the same
// JSON, so both are checked by one parser). README "Synthesizing tapes" documents the JSON shape.
#ifndef SSM_REPLAY_PROXY_SYNTH_SCENARIO_H_
#define SSM_REPLAY_PROXY_SYNTH_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/synth/invocation_state.h"
#include "store/status.h"

namespace ssm {

// Where a scenario's values came from, so that errors name what the user wrote: a flag ("--states")
// or a member of a scenario file ("deploy.json: invocations[2].states").
class ScenarioNaming {
 public:
  static ScenarioNaming Flags() { return ScenarioNaming(""); }
  static ScenarioNaming File(std::string path) { return ScenarioNaming(std::move(path)); }

  bool from_flags() const { return file_.empty(); }
  // The name of member `key` of the object at `path` (e.g. "invocations[2]"), as the user wrote it.
  std::string Of(const std::string& path, std::string_view key) const;
  // Folder `@FILE` values are relative to: the scenario file's, or the working directory.
  std::string BaseDir() const;

 private:
  explicit ScenarioNaming(std::string file) : file_(std::move(file)) {}
  std::string file_;
};

// How one plugin of one invocation goes: the answers of its tape, poll after poll.
struct PluginOutcome {
  std::vector<InvocationState> states;
  std::string status_details;  // of the terminal answer (or the last one), checked against its Status
  bool executed = false;       // the plugin ran: times, ResponseCode and output in its terminal answer
  int response_code = -1;      // of the terminal answer when executed
  std::string stdout_text;     // the whole output; answers cut it at AWS's limits
  std::string stderr_text;
  std::optional<int64_t> duration_ms;  // ExecutionEndDateTime - ExecutionStartDateTime, when given
  std::string path;            // where in the scenario this came from, for ScenarioNaming::Of
};

struct PluginScenario {
  std::string name;  // PluginName in the answers (the document's step name)
  PluginOutcome outcome;
};

struct InvocationScenario {
  std::string instance_id;
  std::vector<PluginScenario> plugins;  // at least one
  bool plugins_named = false;  // plugins were given: each gets a tape keyed by its PluginName
};

struct Scenario {
  ScenarioNaming naming = ScenarioNaming::Flags();
  uint64_t seed = 1;
  std::string command_id;
  std::string document_name;
  std::string document_version;
  std::string comment;
  std::string region;
  std::string output_s3_bucket, output_s3_prefix;  // full output in S3: answers carry the URLs
  std::string cloudwatch_log_group;                // output also in CloudWatch Logs
  int64_t start_ms = 0;          // when SendCommand was answered; the first poll follows
  int64_t poll_interval_ms = 0;  // the client's delay between polls (the waiter's Delay)
  std::optional<nlohmann::ordered_json> send_command_request;  // write its SendCommand tape too
  std::vector<InvocationScenario> invocations;
};

// The scenario a JSON document describes, every value checked; InvalidArgument naming the member (or
// flag) and what is valid otherwise.
Result<Scenario> ParseScenario(const nlohmann::ordered_json& doc, const ScenarioNaming& naming);

// Reads and parses a scenario file.
Result<Scenario> ReadScenarioFile(const std::string& path);

// The plugin AWS names in answers for a one-step document it ships ("aws:runShellScript" for
// AWS-RunShellScript), or empty when the document's step name is not known.
std::string DefaultPluginName(const std::string& document_name);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_SCENARIO_H_
