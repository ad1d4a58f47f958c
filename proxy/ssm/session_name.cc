#include "proxy/ssm/session_name.h"

#include "proxy/ssm/request_parser.h"

namespace ssm {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

// A client's bytes in a message: short, printable.
std::string Quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 40)) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out + (s.size() > 40 ? "...'" : "'");
}

std::optional<std::string> Checked(std::string_view name, const char* where, AwsError* error) {
  if (std::optional<AwsError> bad = CheckSessionName(name)) {
    *error = std::move(*bad);
    error->message += std::string(" (session from ") + where + ")";
    return std::nullopt;
  }
  return NormalizeSessionName(name);
}

}  // namespace

bool IsValidSessionName(std::string_view name) {
  if (name.empty() || name.size() > kMaxSessionName) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

std::optional<AwsError> CheckSessionName(std::string_view name) {
  if (IsValidSessionName(name)) return std::nullopt;
  return AwsError{400, "ValidationException",
                  "Invalid session name " + Quoted(name) + " (" + std::to_string(name.size()) +
                      " characters): a session name is 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', ':' "
                      "and '-'"};
}

std::string NormalizeSessionName(std::string_view name) {
  return name == kDefaultSessionName ? std::string() : std::string(name);
}

std::string DisplaySessionName(const std::string& name) { return name.empty() ? kDefaultSessionName : name; }

std::optional<std::string_view> SessionOfPath(std::string_view path) {
  constexpr std::string_view prefix = kSessionPathPrefix;
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view name = path.substr(prefix.size());
  if (!name.empty() && name.back() == '/') name.remove_suffix(1);
  return name;
}

std::optional<std::string_view> AccessKeyOfAuthorization(std::string_view authorization) {
  constexpr std::string_view credential = "Credential=";
  size_t at = authorization.find(credential);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = authorization.substr(at + credential.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return rest.substr(0, slash);
}

std::optional<std::string> SessionOfRequest(const HeaderList& headers, const SessionSources& sources,
                                            AwsError* error) {
  if (const std::string* header = FindHeader(headers, kSessionHeader)) {
    return Checked(*header, "the X-Ssm-Replay-Session header", error);
  }
  if (sources.path_name) return Checked(*sources.path_name, "the path /session/NAME", error);
  if (sources.from_access_key) {
    const std::string* authorization = FindHeader(headers, "Authorization");
    std::optional<std::string_view> key =
        authorization ? AccessKeyOfAuthorization(*authorization) : std::optional<std::string_view>();
    if (key) return Checked(*key, "the access key id (serve --session-from-access-key)", error);
  }
  return std::string();
}

}  // namespace ssm
