#include "proxy/ssm/ssm_validation.h"

#include <cctype>
#include <cstddef>
#include <vector>

namespace ssm {
namespace {

constexpr char kInstanceIdPattern[] = R"((^i-(\w{8}|\w{17})$)|(^mi-\w{17}$))";

// One member's constraints, as in botocore's service-2.json for SSM.
struct MemberRule {
  const char* name;       // "CommandId"
  const char* wire_name;  // "commandId": how AWS names the member in messages
  bool required;
  int min_length;  // -1: none
  int max_length;  // -1: none
  bool instance_id_pattern;
};

struct ActionRules {
  const char* action;
  std::vector<MemberRule> members;  // in the model's member order: AWS reports in that order
};

const std::vector<ActionRules>& Rules() {
  static const std::vector<ActionRules> rules = {
      {"GetCommandInvocation",
       {{"CommandId", "commandId", true, 36, 36, false},
        {"InstanceId", "instanceId", true, -1, -1, true},
        {"PluginName", "pluginName", false, 4, -1, false}}},
      {"ListCommandInvocations",
       {{"CommandId", "commandId", false, 36, 36, false}, {"InstanceId", "instanceId", false, -1, -1, true}}},
      {"ListCommands",
       {{"CommandId", "commandId", false, 36, 36, false}, {"InstanceId", "instanceId", false, -1, -1, true}}},
      {"CancelCommand", {{"CommandId", "commandId", true, 36, 36, false}}},
      {"SendCommand", {{"DocumentName", "documentName", true, -1, -1, false}}},
  };
  return rules;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool AllWord(const std::string& s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    if (!IsWordChar(s[i])) return false;
  }
  return true;
}

// AWS counts characters, not bytes: count UTF-8 code points (continuation bytes don't start one).
size_t CharLength(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace

bool IsValidInstanceId(const std::string& id) {
  if (id.compare(0, 2, "i-") == 0) {
    size_t rest = id.size() - 2;
    return (rest == 8 || rest == 17) && AllWord(id, 2);
  }
  if (id.compare(0, 3, "mi-") == 0) return id.size() - 3 == 17 && AllWord(id, 3);
  return false;
}

std::optional<AwsError> ValidateSsmRequest(const std::string& action, const nlohmann::json& body) {
  const ActionRules* rules = nullptr;
  for (const auto& r : Rules()) {
    if (action == r.action) rules = &r;
  }
  if (rules == nullptr || !body.is_object()) return std::nullopt;

  std::vector<std::string> problems;
  for (const MemberRule& m : rules->members) {
    auto it = body.find(m.name);
    std::string at = std::string(" at '") + m.wire_name + "' failed to satisfy constraint: ";
    if (it == body.end() || it->is_null()) {
      if (m.required) problems.push_back("Value null" + at + "Member must not be null");
      continue;
    }
    if (!it->is_string()) continue;  // a type error is a SerializationException, raised earlier
    const std::string& value = it->get_ref<const std::string&>();
    std::string shown = "Value '" + value + "'" + at;
    size_t length = CharLength(value);
    if (m.min_length >= 0 && length < static_cast<size_t>(m.min_length)) {
      problems.push_back(shown + "Member must have length greater than or equal to " +
                         std::to_string(m.min_length));
    } else if (m.max_length >= 0 && length > static_cast<size_t>(m.max_length)) {
      problems.push_back(shown + "Member must have length less than or equal to " +
                         std::to_string(m.max_length));
    }
    if (m.instance_id_pattern && !IsValidInstanceId(value)) {
      problems.push_back(shown + "Member must satisfy regular expression pattern: " + kInstanceIdPattern);
    }
  }
  if (problems.empty()) return std::nullopt;

  std::string message =
      std::to_string(problems.size()) +
      (problems.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) message += "; ";
    message += problems[i];
  }
  return AwsError{400, "ValidationException", std::move(message)};
}

}  // namespace ssm
