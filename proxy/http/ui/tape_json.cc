#include "proxy/http/ui/tape_json.h"

#include <string_view>
#include <utility>

#include "proxy/http/ui/tape_api.h"
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

// The value of the first "Status" member anywhere in `body`, found without parsing all of it: a
// listing reads the last answer of 50 tapes, whose output fields run to 32 KB. Inside a JSON string
// every quote is escaped, so an unescaped `"Status"` followed by a colon is always a member name: the
// top-level one of GetCommandInvocation, Command.Status of SendCommand. Empty when there is none.
std::string FirstStatusMember(const std::string& body) {
  constexpr std::string_view kName = "\"Status\"";
  for (size_t at = body.find(kName); at != std::string::npos; at = body.find(kName, at + 1)) {
    if (at > 0 && body[at - 1] == '\\') continue;
    size_t value = body.find_first_not_of(" \t\r\n", at + kName.size());
    if (value == std::string::npos || body[value] != ':') continue;
    value = body.find_first_not_of(" \t\r\n", value + 1);
    if (value == std::string::npos || body[value] != '"') return std::string();
    size_t end = value + 1;
    while (end < body.size() && body[end] != '"') end += body[end] == '\\' ? 2 : 1;
    nlohmann::json text = nlohmann::json::parse(body.substr(value, end + 1 - value), nullptr, false);
    return text.is_string() ? text.get<std::string>() : std::string();
  }
  return std::string();
}

}  // namespace

std::string AnswerOutcome(const Interaction& in) {
  std::string status = FirstStatusMember(in.response_body);
  if (status.empty() && in.response_body.size() < 4096) {  // errors are short: {"__type": ..., "message": ...}
    status = WithoutNamespace(StringMember(ParseBody(in.response_body), "__type"));
  }
  if (status.empty()) status = "HTTP " + std::to_string(in.status);
  return status;
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
                        {"outcome", AnswerOutcome(in)},
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
