#include "proxy/synth/plugin_outcome.h"

#include <cmath>
#include <fstream>
#include <sstream>
#include <vector>

namespace ssm {

const char* const kOutcomeMembers[6] = {"states", "statusDetails", "stdout", "stderr", "responseCode", "duration"};

namespace {

using Json = nlohmann::ordered_json;

// Run Command's invocation StatusDetails per terminal Status; the first is the usual one. A plugin
// that never ran ends DeliveryTimedOut, Undeliverable or Terminated (MaxErrors reached elsewhere), or
// Cancelled before it started.
struct TerminalDetails {
  InvocationState state;
  std::vector<const char*> ran;        // details when the plugin ran
  std::vector<const char*> never_ran;  // details when it never started
};
const TerminalDetails kTerminalDetails[] = {
    {InvocationState::kSuccess, {"Success"}, {}},
    {InvocationState::kFailed, {"Failed"}, {"Undeliverable"}},
    {InvocationState::kTimedOut, {"ExecutionTimedOut"}, {"DeliveryTimedOut"}},
    {InvocationState::kCancelled, {"Cancelled"}, {"Cancelled", "Terminated"}},
};

const TerminalDetails& DetailsOf(InvocationState terminal) {
  for (const auto& d : kTerminalDetails) {
    if (d.state == terminal) return d;
  }
  return kTerminalDetails[0];
}

bool Contains(const std::vector<const char*>& names, const std::string& name) {
  for (const char* n : names) {
    if (name == n) return true;
  }
  return false;
}

std::string Join(const std::vector<const char*>& names) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

Status Invalid(const ScenarioNaming& naming, const std::string& path, const char* key, const std::string& why) {
  return Status::InvalidArgument(naming.Of(path, key) + ": " + why);
}

// TEXT, or the contents of FILE for "@FILE" (relative to the scenario's folder).
Result<std::string> TextOrFile(const Json& value, const std::string& path, const char* key,
                               const ScenarioNaming& naming) {
  if (!value.is_string()) return Invalid(naming, path, key, "must be a string (TEXT or @FILE)");
  std::string text = value.get<std::string>();
  if (text.empty() || text[0] != '@') return text;
  std::string file = text.substr(1);
  if (!file.empty() && file[0] != '/') file = naming.BaseDir() + file;
  std::ifstream in(file, std::ios::binary);
  if (!in) return Invalid(naming, path, key, "cannot read " + file);
  std::ostringstream all;
  all << in.rdbuf();
  return all.str();
}

// Which StatusDetails the terminal answer carries, and whether the plugin ran at all.
Status ResolveDetails(const Json& object, const std::string& path, const ScenarioNaming& naming,
                      PluginOutcome* out) {
  bool seen_running = false;
  for (InvocationState s : out->states) seen_running |= IsRunning(s);
  InvocationState last = out->states.back();
  bool given = object.contains("statusDetails");
  if (!IsTerminal(last)) {
    if (given) {
      return Invalid(naming, path, "statusDetails", std::string("is for the terminal state, and the states end ") +
                     StateName(last) + "; add Success, Failed, Cancelled or TimedOut");
    }
    out->status_details = last == InvocationState::kInvocationDoesNotExist ? "" : StateName(last);
    out->executed = seen_running;
    return Status::OK();
  }
  const TerminalDetails& allowed = DetailsOf(last);
  if (!given) {
    // Without InProgress in the states, Failed still ran (between two polls); TimedOut and Cancelled
    // are then more likely never to have started.
    bool ran = seen_running || last == InvocationState::kSuccess || last == InvocationState::kFailed;
    out->status_details = ran ? allowed.ran[0] : allowed.never_ran[0];
    out->executed = ran;
    return Status::OK();
  }
  if (!object["statusDetails"].is_string()) return Invalid(naming, path, "statusDetails", "must be a string");
  out->status_details = object["statusDetails"].get<std::string>();
  bool may_have_run = Contains(allowed.ran, out->status_details);
  if (may_have_run && Contains(allowed.never_ran, out->status_details)) {
    out->executed = seen_running;  // Cancelled: before or after the plugin started
  } else if (may_have_run) {
    out->executed = true;
  } else if (Contains(allowed.never_ran, out->status_details)) {
    if (seen_running) {
      return Invalid(naming, path, "statusDetails", out->status_details + " means the plugin never started, but the "
                     "states have InProgress or Cancelling before " + StateName(last));
    }
    out->executed = false;
  } else {
    return Invalid(naming, path, "statusDetails", "'" + out->status_details + "' does not go with Status " +
                   StateName(last) + "; valid: " + ValidStatusDetails());
  }
  return Status::OK();
}

// ResponseCode of the terminal answer: 0 for Success, -1 for a plugin that never ran, the exit code
// otherwise (1 by default for Failed; 137, the agent's code for a killed script, for TimedOut and
// Cancelled).
Status ResolveResponseCode(const Json& object, const std::string& path, const ScenarioNaming& naming,
                           PluginOutcome* out) {
  InvocationState last = out->states.back();
  bool terminal_run = IsTerminal(last) && out->executed;
  int usual = !terminal_run ? -1 : last == InvocationState::kSuccess ? 0 : last == InvocationState::kFailed ? 1 : 137;
  out->response_code = usual;
  if (!object.contains("responseCode")) return Status::OK();
  const Json& v = object["responseCode"];
  if (!v.is_number_integer()) return Invalid(naming, path, "responseCode", "must be a whole number");
  int code = v.get<int>();
  if (!terminal_run) {
    return Invalid(naming, path, "responseCode", "the plugin never finishes running in these states, so AWS "
                   "answers -1 throughout; end the states with Success, Failed, TimedOut or Cancelled after it ran");
  }
  if (last == InvocationState::kSuccess && code != 0) {
    return Invalid(naming, path, "responseCode", "Success means exit code 0; use Failed for " + std::to_string(code));
  }
  if (last == InvocationState::kFailed && (code == 0 || code == -1)) {
    return Invalid(naming, path, "responseCode", "Failed needs the plugin's non-zero exit code (e.g. 1, 2, 127)");
  }
  if (code < -1) return Invalid(naming, path, "responseCode", "exit codes are -1 or more");
  out->response_code = code;
  return Status::OK();
}

Status ResolveOutputAndDuration(const Json& object, const std::string& path, const ScenarioNaming& naming,
                                PluginOutcome* out) {
  bool terminal_run = IsTerminal(out->states.back()) && out->executed;
  for (const char* key : {"stdout", "stderr"}) {
    if (!object.contains(key)) continue;
    if (!terminal_run) {
      return Invalid(naming, path, key, "output only appears in the terminal answer of a plugin that ran (" +
                     out->status_details + " has none)");
    }
    auto text = TextOrFile(object[key], path, key, naming);
    if (!text.ok()) return text.status();
    (std::string(key) == "stdout" ? out->stdout_text : out->stderr_text) = std::move(*text);
  }
  if (object.contains("duration")) {
    const Json& v = object["duration"];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 30 * 86400.0) {
      return Invalid(naming, path, "duration", "must be seconds from 0 to 2592000 (e.g. 8.412)");
    }
    if (!terminal_run) {
      return Invalid(naming, path, "duration", "is the run time of a plugin that finished; these states never "
                     "end a run (" + out->status_details + ")");
    }
    out->duration_ms = std::llround(v.get<double>() * 1000);
  }
  return Status::OK();
}

}  // namespace

std::string ValidStatusDetails() {
  std::string out;
  for (const auto& d : kTerminalDetails) {
    std::vector<const char*> all = d.ran;
    for (const char* n : d.never_ran) {
      if (!Contains(all, n)) all.push_back(n);
    }
    out += (out.empty() ? "" : "; ") + std::string(StateName(d.state)) + ": " + Join(all);
  }
  return out;
}

Result<PluginOutcome> ParsePluginOutcome(const Json& object, const std::string& path, const ScenarioNaming& naming) {
  PluginOutcome out;
  out.path = path;
  std::string list = "Pending,InProgress,Success";
  if (object.contains("states")) {
    if (!object["states"].is_string()) return Invalid(naming, path, "states", "must be a string like \"Pending,InProgress*2,Success\"");
    list = object["states"].get<std::string>();
  }
  auto states = ParseStateList(list, naming.Of(path, "states"));
  if (!states.ok()) return states.status();
  out.states = std::move(*states);
  for (auto step : {ResolveDetails, ResolveResponseCode, ResolveOutputAndDuration}) {
    Status s = step(object, path, naming, &out);
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace ssm
