#include "proxy/ssm/request_parser.h"

#include <strings.h>

#include <utility>

#include "proxy/ssm/flat_json_object.h"
#include "proxy/ssm/session_name.h"
#include "proxy/ssm/ssm_actions.h"
#include "store/canonical_json.h"

namespace ssm {
namespace {

ParsedRequest Fail(int status, const char* type, std::string message, std::string action = {}) {
  ParsedRequest out;
  out.error = AwsError{status, type, std::move(message)};
  out.action = std::move(action);
  return out;
}

// Clients' bytes go into messages: keep them short and printable.
std::string Clip(std::string_view s, size_t max = 80) {
  std::string out;
  for (char c : s.substr(0, max)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > max) out += "...";
  return out;
}

// A key field: absent or null -> nullopt; a string -> it; anything else -> SerializationException.
bool StringField(const nlohmann::json& body, const char* name, std::optional<std::string>* out,
                 AwsError* error) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    out->reset();
    return true;
  }
  if (!it->is_string()) {
    *error =
        AwsError{400, "SerializationException",
                 std::string("Unexpected value for ") + name + ": expected a string, got " + it->type_name()};
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

// The key from its fields; `error` names what makes them unusable as a key (a NUL byte, a key too long).
std::optional<TapeKey> MakeTapeKey(const std::string& action, std::optional<std::string> command_id,
                                   std::optional<std::string> instance_id,
                                   std::optional<std::string> plugin_name, const std::string& canonical_body,
                                   AwsError* error) {
  Result<TapeKey> key = action == kGetCommandInvocation
                            ? TapeKey::ForInvocation(std::move(command_id).value_or(""),
                                                     std::move(instance_id).value_or(""), std::move(plugin_name))
                            : TapeKey::ForAction(action, canonical_body);
  if (!key.ok()) {
    *error =
        AwsError{400, "ValidationException", "Invalid request for " + action + ": " + key.status().message()};
    return std::nullopt;
  }
  return std::move(key).value();
}

std::optional<std::string> FlatField(const std::vector<FlatMember>& members, std::string_view name) {
  std::optional<std::string_view> value = FindFlatMember(members, name);
  if (!value) return std::nullopt;
  return std::string(*value);
}

}  // namespace

bool HeaderNameIs(std::string_view name, std::string_view expected) {
  return name.size() == expected.size() && strncasecmp(name.data(), expected.data(), name.size()) == 0;
}

bool ParserReadsHeader(std::string_view name, bool session_from_access_key) {
  return HeaderNameIs(name, "X-Amz-Target") || HeaderNameIs(name, kSessionHeader) ||
         (session_from_access_key && HeaderNameIs(name, "Authorization"));
}

const std::string* FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (HeaderNameIs(key, name)) return &value;
  }
  return nullptr;
}

std::optional<TapeKey> ExtractTapeKey(const std::string& action, const nlohmann::json& body,
                                      const std::string& canonical_body, AwsError* error) {
  std::optional<std::string> command_id, instance_id, plugin_name;
  if (action == kGetCommandInvocation &&
      (!StringField(body, "CommandId", &command_id, error) || !StringField(body, "InstanceId", &instance_id, error) ||
       !StringField(body, "PluginName", &plugin_name, error))) {
    return std::nullopt;
  }
  return MakeTapeKey(action, std::move(command_id), std::move(instance_id), std::move(plugin_name),
                     canonical_body, error);
}

std::optional<TapeKey> ExtractTapeKey(const std::string& action, const std::vector<FlatMember>& body,
                                      const std::string& canonical_body, AwsError* error) {
  if (action != kGetCommandInvocation) return MakeTapeKey(action, {}, {}, {}, canonical_body, error);
  return MakeTapeKey(action, FlatField(body, "CommandId"), FlatField(body, "InstanceId"),
                     FlatField(body, "PluginName"), canonical_body, error);
}

namespace {

// The error refusing a call before its body is read (path, method, size, X-Amz-Target), or nullopt
// with `*action` set to the action the call names.
std::optional<ParsedRequest> CheckEnvelope(std::string_view method, std::string_view path, const HeaderList& headers,
                                           size_t body_size, size_t max_body, std::string* action) {
  if (path != "/" && !SessionOfPath(path)) {
    return Fail(404, "NotFoundException",
                "No such path '" + Clip(path) + "': the SSM API is served at POST / and POST /session/NAME " +
                    "(admin endpoints under /__replay/)");
  }
  if (method != "POST") {
    return Fail(405, "MethodNotAllowedException",
                "Method " + Clip(method, 16) + " is not allowed on " + Clip(path) + ": SSM calls are POST / with " +
                    "X-Amz-Target: AmazonSSM.<Action>");
  }
  if (body_size > max_body) {
    return Fail(413, "RequestEntityTooLargeException",
                "Request body of " + std::to_string(body_size) + " bytes exceeds the limit of " +
                    std::to_string(max_body) + " bytes (serve --max-body)");
  }
  const std::string* target = FindHeader(headers, "X-Amz-Target");
  if (target == nullptr) {
    return Fail(400, "UnknownOperationException",
                "Missing X-Amz-Target header: SSM calls name their operation as X-Amz-Target: "
                "AmazonSSM.<Action>");
  }
  *action = std::string(ActionFromTarget(*target));
  if (SsmActionIndex(*action) < 0) {
    return Fail(400, "UnknownOperationException",
                "Unknown operation '" + Clip(*target) + "': expected AmazonSSM.<Action> naming an SSM API action");
  }
  return std::nullopt;
}

// What a body gives: its canonical form, the call's key, and its DOM when the fast path declined it.
struct ParsedBody {
  std::string canonical;
  std::optional<TapeKey> key;
  std::optional<nlohmann::json> json;
};

// Reads `body` of a call to `action`; false with `error` set when it is not a JSON object or its key
// fields are unusable.
bool ReadBody(const std::string& action, const std::string& body, ParsedBody* out, AwsError* error) {
  if (std::optional<std::vector<FlatMember>> flat = ParseFlatJsonObject(body)) {
    out->canonical = CanonicalFlatJson(*flat);
    out->key = ExtractTapeKey(action, *flat, out->canonical, error);
    return out->key.has_value();
  }
  // One parse: the DOM gives the key fields, and its dump is the canonical body. (An empty body, which
  // SDKs send for calls without parameters, took the fast path as {}.)
  out->json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json& json = *out->json;
  if (json.is_discarded() || !json.is_object()) {
    std::string what = json.is_discarded() ? " is not valid JSON" : std::string(" must be a JSON object, got ") +
                                                                        json.type_name();
    *error = AwsError{400, "SerializationException", "Request body of " + action + what};
    return false;
  }
  Result<std::string> dumped = CanonicalJsonOf(json);
  if (!dumped.ok()) {
    *error = AwsError{400, "SerializationException",
                      "Request body of " + action + " is not valid JSON: " + dumped.status().message()};
    return false;
  }
  out->canonical = std::move(dumped).value();
  out->key = ExtractTapeKey(action, json, out->canonical, error);
  return out->key.has_value();
}

}  // namespace

ParsedRequest ParseSsmRequest(std::string_view method, std::string_view path, HeaderList headers,
                              std::string body, size_t max_body, bool session_from_access_key) {
  std::string action;
  if (std::optional<ParsedRequest> refused = CheckEnvelope(method, path, headers, body.size(), max_body, &action)) {
    return std::move(*refused);
  }
  ParsedBody parsed;
  ParsedRequest out;
  AwsError error;
  std::optional<std::string> session =
      SessionOfRequest(headers, SessionSources{SessionOfPath(path), session_from_access_key}, &error);
  if (!session || !ReadBody(action, body, &parsed, &error)) {
    out.error = std::move(error);
    out.action = std::move(action);
    return out;
  }
  out.action = action;
  out.request = SsmRequest{std::move(action),    std::move(body),         std::move(parsed.canonical),
                           std::move(headers),   std::move(*parsed.key), std::move(*session),
                           std::move(parsed.json)};
  return out;
}

}  // namespace ssm
