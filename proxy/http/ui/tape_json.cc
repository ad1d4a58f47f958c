#include "proxy/http/ui/tape_json.h"

#include <optional>
#include <utility>

#include "proxy/http/ui/tape_api.h"
#include "proxy/replay/json_scan.h"
#include "proxy/replay/poll_plan.h"
#include "store/iso_time.h"

namespace ssm {
namespace {

// The string member `name` of `object`, or empty.
std::string StringMember(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) return std::string();
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "com.amazonaws.ssm#InvocationDoesNotExist" -> "InvocationDoesNotExist".
std::string WithoutNamespace(std::string type) {
  size_t hash = type.rfind('#');
  return hash == std::string::npos ? type : type.substr(hash + 1);
}

nlohmann::json ParseBody(const std::string& body) {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::string ShownOutcome(const Interaction& in) {
  std::string outcome = AnswerOutcome(in);  // proxy/replay/poll_plan.h: the top-level Status or __type
  if (outcome.compare(0, 5, "HTTP ") == 0) {  // SendCommand and the like: Command.Status
    std::optional<std::string> nested;
    ScanJsonMembers(in.response_body, [&](const JsonMember& m) {
      if (nested || m.depth != 2 || m.kind != JsonKind::kString || m.name != "Status") return;
      nested = std::string(m.value.substr(1, m.value.size() - 2));
    });
    if (nested) return *nested;
  }
  return WithoutNamespace(outcome);
}

nlohmann::json TapeSummaryJson(const TapeInfo& info) {
  const TapeKey& key = info.key;
  nlohmann::json tape = {{"id", TapeId(key)},
                         {"action", key.action()},
                         {"commandId", key.command_id()},
                         {"instanceId", key.instance_id()},
                         {"plugin", nullptr},
                         {"interactions", info.interactions},
                         {"firstRecorded", FormatIsoMillis(info.first_recorded_ms)},
                         {"lastRecorded", FormatIsoMillis(info.last_recorded_ms)}};
  if (key.plugin_name()) tape["plugin"] = *key.plugin_name();
  return tape;
}

nlohmann::json InteractionJson(size_t index, const Interaction& in) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : in.headers) {
    if (!IsUnstorableHeader(name)) headers.push_back({name, value});
  }
  nlohmann::json out = {{"index", index},
                        {"recordedAt", FormatIsoMillis(in.recorded_at_ms)},
                        {"recordedAtMs", in.recorded_at_ms},
                        {"latencyUs", in.upstream_latency_us},
                        {"httpStatus", in.status},
                        {"outcome", ShownOutcome(in)},
                        {"source", in.source},
                        {"request", {{"action", in.action}, {"body", in.request_body}}},
                        {"response", {{"headers", std::move(headers)}, {"body", in.response_body}}}};
  nlohmann::json body = ParseBody(in.response_body);
  if (body.is_object() && body.contains("StandardOutputContent")) {
    out["stdout"] = StringMember(body, "StandardOutputContent");
    out["stderr"] = StringMember(body, "StandardErrorContent");
  }
  return out;
}

std::string DumpJson(const nlohmann::json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ssm
