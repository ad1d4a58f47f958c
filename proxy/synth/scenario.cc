#include "proxy/synth/scenario.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <re2/re2.h>

#include "proxy/ssm/ssm_validation.h"
#include "proxy/synth/aws_time.h"
#include "proxy/synth/plugin_outcome.h"
#include "proxy/synth/seeded_ids.h"

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;

// Scenario members -> the flag that sets them (flags set the same JSON, see tools/cmd_synth.cc).
const std::pair<const char*, const char*> kFlagOf[] = {
    {"commandId", "--command-id"},       {"instanceId", "--instance-id"}, {"plugins", "--plugin"},
    {"name", "--plugin"},                {"documentName", "--document-name"}, {"states", "--states"},
    {"statusDetails", "--status-details"}, {"stdout", "--stdout"},          {"stderr", "--stderr"},
    {"responseCode", "--response-code"}, {"pollInterval", "--poll-interval"}, {"duration", "--duration"},
    {"start", "--start"},                {"seed", "--seed"},              {"comment", "--comment"},
    {"sendCommand", "--send-command"},   {"region", "--region"},
};

const std::set<std::string> kTopMembers = {
    "seed", "commandId", "start", "documentName", "documentVersion", "comment", "pollInterval", "region",
    "outputS3BucketName", "outputS3KeyPrefix", "cloudWatchLogGroupName", "sendCommand", "invocations", "plugins"};
const std::set<std::string> kInvocationMembers = {"instanceId", "count", "plugins"};
const std::set<std::string> kPluginMembers = {"name"};

constexpr int kMaxInstances = 100000;
const char kDefaultStart[] = "2026-10-14T09:00:00.000Z";

Status Invalid(const ScenarioNaming& naming, const std::string& path, std::string_view key, const std::string& why) {
  return Status::InvalidArgument(naming.Of(path, key) + ": " + why);
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Unknown members are typos: say so, with the ones that are valid there.
Status CheckMembers(const Json& object, std::set<std::string> allowed, const std::string& path,
                    const ScenarioNaming& naming) {
  for (const char* m : kOutcomeMembers) allowed.insert(m);
  if (!object.is_object()) return Invalid(naming, path, "", "must be a JSON object");
  for (const auto& item : object.items()) {
    if (!allowed.count(item.key())) {
      return Invalid(naming, path, item.key(), "unknown member; valid here: " + Join(allowed));
    }
  }
  return Status::OK();
}

Result<std::string> StringMember(const Json& object, const char* key, std::string fallback, const std::string& path,
                                 const ScenarioNaming& naming) {
  if (!object.contains(key)) return fallback;
  if (!object[key].is_string()) return Invalid(naming, path, key, "must be a string");
  return object[key].get<std::string>();
}

// `base` with `over`'s outcome members on top: an invocation's inherit the scenario's, a plugin's its
// invocation's.
Json Overlay(const Json& base, const Json& over) {
  Json out = Json::object();
  for (const char* m : kOutcomeMembers) {
    if (over.contains(m)) {
      out[m] = over[m];
    } else if (base.contains(m)) {
      out[m] = base[m];
    }
  }
  return out;
}

Status CheckIds(const Scenario& s, const std::string& instance_id, const std::string& path) {
  if (!IsValidInstanceId(instance_id)) {  // the pattern SSM validates requests with
    return Invalid(s.naming, path, "instanceId", "'" + instance_id + "' is not an instance id: i- and 8 or 17 "
                   "characters (i-08b0130f3ddd5f444), or mi- and 17 for a managed node");
  }
  return Status::OK();
}

// The plugins of one invocation: named ones (each with its own outcome), or the document's one.
Result<std::vector<PluginScenario>> ParsePlugins(const Scenario& s, const Json& object, const Json& outcome,
                                                 const std::string& path, bool* named) {
  std::vector<PluginScenario> plugins;
  const ScenarioNaming& naming = s.naming;
  if (!object.contains("plugins")) {
    *named = false;
    std::string name = DefaultPluginName(s.document_name);
    if (name.empty()) {
      return Invalid(naming, path, "plugins", "document '" + s.document_name + "' has no known step name; give "
                     "its step name(s)");
    }
    auto o = ParsePluginOutcome(outcome, path, naming);
    if (!o.ok()) return o.status();
    plugins.push_back({name, std::move(*o)});
    return plugins;
  }
  *named = true;
  const Json& list = object["plugins"];
  if (!list.is_array() || list.empty()) return Invalid(naming, path, "plugins", "must be a non-empty list");
  std::set<std::string> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_path = path + (path.empty() ? "" : ".") + "plugins[" + std::to_string(i) + "]";
    Json plugin = list[i].is_string() ? Json{{"name", list[i]}} : list[i];
    Status members = CheckMembers(plugin, kPluginMembers, item_path, naming);
    if (!members.ok()) return members;
    auto name = StringMember(plugin, "name", "", item_path, naming);
    if (!name.ok()) return name.status();
    if (name->size() < 4) return Invalid(naming, item_path, "name", "a PluginName has at least 4 characters");
    if (!seen.insert(*name).second) return Invalid(naming, item_path, "name", "'" + *name + "' is given twice");
    auto o = ParsePluginOutcome(Overlay(outcome, plugin), item_path, naming);
    if (!o.ok()) return o.status();
    plugins.push_back({*name, std::move(*o)});
  }
  return plugins;
}

// One entry of "invocations": an instance, or `count` instances with ids from the seed.
Status ParseInvocations(const Json& doc, Scenario* s) {
  const ScenarioNaming& naming = s->naming;
  if (!doc.contains("invocations") || !doc["invocations"].is_array() || doc["invocations"].empty()) {
    return Invalid(naming, "", "invocations", "must be a non-empty list of {\"instanceId\": ...} or {\"count\": N}");
  }
  Json defaults = Overlay(Json::object(), doc);
  if (doc.contains("plugins")) defaults["plugins"] = doc["plugins"];
  std::set<std::string> instances;
  const Json& list = doc["invocations"];
  for (size_t i = 0; i < list.size(); ++i) {
    std::string path = "invocations[" + std::to_string(i) + "]";
    Status members = CheckMembers(list[i], kInvocationMembers, path, naming);
    if (!members.ok()) return members;
    Json entry = Overlay(defaults, list[i]);
    entry["plugins"] = list[i].contains("plugins") ? list[i]["plugins"] : defaults.value("plugins", Json());
    if (entry["plugins"].is_null()) entry.erase("plugins");
    std::vector<std::string> ids;
    if (list[i].contains("instanceId") == list[i].contains("count")) {
      return Invalid(naming, path, "instanceId", "give either instanceId or count (instances with ids from the seed)");
    }
    if (list[i].contains("count")) {
      const Json& c = list[i]["count"];
      if (!c.is_number_integer() || c.get<long>() < 1 || c.get<long>() > kMaxInstances) {
        return Invalid(naming, path, "count", "must be a whole number from 1 to " + std::to_string(kMaxInstances));
      }
      for (long n = 0; n < c.get<long>(); ++n) {
        ids.push_back(SeededInstanceId(s->seed, path + "/" + std::to_string(n)));
      }
    } else {
      auto id = StringMember(list[i], "instanceId", "", path, naming);
      if (!id.ok()) return id.status();
      ids.push_back(*id);
    }
    bool named = false;
    auto plugins = ParsePlugins(*s, entry, entry, path, &named);
    if (!plugins.ok()) return plugins.status();
    for (const auto& id : ids) {
      Status ok = CheckIds(*s, id, path);
      if (!ok.ok()) return ok;
      if (!instances.insert(id).second) return Invalid(naming, path, "instanceId", id + " appears twice");
      s->invocations.push_back({id, *plugins, named});
    }
  }
  return Status::OK();
}

Status ParseCommandMembers(const Json& doc, Scenario* s) {
  const ScenarioNaming& naming = s->naming;
  if (doc.contains("seed")) {
    const Json& seed = doc["seed"];
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0)) {
      return Invalid(naming, "", "seed", "must be a whole number >= 0");
    }
    s->seed = doc["seed"].get<uint64_t>();
  }
  static const RE2 kUuid("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  auto command_id = StringMember(doc, "commandId", SeededUuid(s->seed, "command"), "", naming);
  if (!command_id.ok()) return command_id.status();
  if (!RE2::FullMatch(*command_id, kUuid)) {
    return Invalid(naming, "", "commandId", "'" + *command_id + "' is not a CommandId: 36 characters, a lower-case "
                   "UUID like 16ea0bfb-5cdb-4254-873d-021a57c8ab3a");
  }
  s->command_id = *command_id;
  auto start = StringMember(doc, "start", kDefaultStart, "", naming);
  if (!start.ok()) return start.status();
  auto start_ms = ParseIsoMillis(*start, naming.Of("", "start"));
  if (!start_ms.ok()) return start_ms.status();
  s->start_ms = *start_ms;
  if (doc.contains("pollInterval")) {
    const Json& v = doc["pollInterval"];
    if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 3600) {
      return Invalid(naming, "", "pollInterval", "must be seconds from 0 to 3600 (botocore's waiter: 5)");
    }
    s->poll_interval_ms = std::llround(v.get<double>() * 1000);
  } else {
    s->poll_interval_ms = 5000;
  }
  static const RE2 kDocument("[a-zA-Z0-9_\\-.:/]{3,128}");
  std::pair<std::string*, std::pair<const char*, const char*>> strings[] = {
      {&s->document_name, {"documentName", "AWS-RunShellScript"}}, {&s->document_version, {"documentVersion", ""}},
      {&s->comment, {"comment", ""}},                              {&s->region, {"region", "us-east-1"}},
      {&s->output_s3_bucket, {"outputS3BucketName", ""}},          {&s->output_s3_prefix, {"outputS3KeyPrefix", ""}},
      {&s->cloudwatch_log_group, {"cloudWatchLogGroupName", ""}}};
  for (auto& [field, member] : strings) {
    auto v = StringMember(doc, member.first, member.second, "", naming);
    if (!v.ok()) return v.status();
    *field = *v;
  }
  if (!RE2::FullMatch(s->document_name, kDocument)) {
    return Invalid(naming, "", "documentName", "'" + s->document_name + "' is not a document name (3 to 128 of "
                   "letters, digits, _ - . : /)");
  }
  if (s->comment.size() > 100) return Invalid(naming, "", "comment", "AWS allows at most 100 characters");
  return Status::OK();
}

}  // namespace

std::string ScenarioNaming::Of(const std::string& path, std::string_view key) const {
  if (from_flags()) {
    for (const auto& [member, flag] : kFlagOf) {
      if (key == member) return flag;
    }
    return std::string(key);
  }
  std::string where = path;
  if (!key.empty()) where += (where.empty() ? "" : ".") + std::string(key);
  return file_ + ": " + (where.empty() ? "(top level)" : where);
}

std::string ScenarioNaming::BaseDir() const {
  size_t slash = file_.rfind('/');
  return slash == std::string::npos ? "" : file_.substr(0, slash + 1);
}

std::string DefaultPluginName(const std::string& document_name) {
  if (document_name == "AWS-RunShellScript") return "aws:runShellScript";
  if (document_name == "AWS-RunPowerShellScript") return "aws:runPowerShellScript";
  return "";
}

Result<Scenario> ParseScenario(const Json& doc, const ScenarioNaming& naming) {
  Scenario s;
  s.naming = naming;
  Status members = CheckMembers(doc, kTopMembers, "", naming);
  if (!members.ok()) return members;
  Status command = ParseCommandMembers(doc, &s);
  if (!command.ok()) return command;
  Status invocations = ParseInvocations(doc, &s);
  if (!invocations.ok()) return invocations;
  if (doc.contains("sendCommand")) {
    const Json& v = doc["sendCommand"];
    if (!v.is_boolean() && !v.is_object()) {
      return Invalid(naming, "", "sendCommand", "must be true or the SendCommand request object the client sends");
    }
    if (!v.is_boolean() || v.get<bool>()) s.send_command_request = v.is_object() ? v : Json::object();
  }
  return s;
}

Result<Scenario> ReadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("--scenario: cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  Json doc = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("--scenario: " + path + " is not valid JSON");
  return ParseScenario(doc, ScenarioNaming::File(path));
}

}  // namespace ssm
