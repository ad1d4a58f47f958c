#include "proxy/redactor.h"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

// Access key ids: long-term (AKIA) and temporary (ASIA), 20 characters in all.
constexpr char kAccessKeyIdPattern[] = R"(\b(?:AKIA|ASIA)[A-Z0-9]{16}\b)";
// Presigned-URL query parameters that carry a credential scope, a signature or a session token.
constexpr char kUrlParamsPattern[] = R"((X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"'<>]+)";

void ReplaceAll(std::string* text, const std::string& needle, const std::string& with) {
  if (needle.empty()) return;
  size_t pos = 0;
  while ((pos = text->find(needle, pos)) != std::string::npos) {
    text->replace(pos, needle.size(), with);
    pos += with.size();
  }
}

// End (index of the closing quote) of the JSON string token opening at body[start] == '"'. The
// body is known to be valid JSON, so every string is terminated.
size_t StringTokenEnd(const std::string& body, size_t start) {
  size_t i = start + 1;
  while (i < body.size() && body[i] != '"') i += body[i] == '\\' ? 2 : 1;
  return i;
}

}  // namespace

Result<Redactor> Redactor::Create(const RedactorOptions& options) {
  Redactor r;
  for (const auto& s : options.secrets) {
    if (!s.empty() && std::find(r.secrets_.begin(), r.secrets_.end(), s) == r.secrets_.end()) {
      r.secrets_.push_back(s);
    }
  }
  std::stable_sort(r.secrets_.begin(), r.secrets_.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  r.url_params_ = std::regex(kUrlParamsPattern, std::regex::ECMAScript | std::regex::icase);
  r.patterns_.emplace_back(kAccessKeyIdPattern, std::regex::ECMAScript);
  for (const auto& p : options.patterns) {
    try {
      std::regex re(p, std::regex::ECMAScript);
      // A pattern matching "" would put a placeholder between every two characters.
      if (std::regex_match(std::string(), re)) {
        return Status::InvalidArgument("--redact pattern '" + p +
                                       "' matches the empty string; make it match at least one character");
      }
      r.patterns_.push_back(std::move(re));
    } catch (const std::regex_error& e) {
      return Status::InvalidArgument("--redact pattern '" + p + "' is not a valid regular expression (" +
                                     e.what() + ")");
    }
  }
  return r;
}

std::string Redactor::RedactText(std::string text) const {
  if (text.empty()) return text;
  for (const auto& s : secrets_) ReplaceAll(&text, s, kRedacted);
  text = std::regex_replace(text, url_params_, std::string("$1") + kRedacted);
  for (const auto& re : patterns_) text = std::regex_replace(text, re, kRedacted);
  return text;
}

std::string Redactor::RedactBody(const std::string& body) const {
  if (body.empty()) return body;
  if (!nlohmann::json::accept(body)) return RedactText(body);
  std::string out;
  out.reserve(body.size());
  size_t copied = 0;  // body[0, copied) is already in `out`
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '"') continue;
    size_t end = StringTokenEnd(body, i);
    std::string token = body.substr(i, end + 1 - i);
    std::string value = nlohmann::json::parse(token).get<std::string>();
    std::string redacted = RedactText(value);
    if (redacted != value) {
      out.append(body, copied, i - copied);
      out += nlohmann::json(redacted).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      copied = end + 1;
    }
    i = end;
  }
  if (copied == 0) return body;  // nothing redacted: the exact bytes received
  out.append(body, copied, std::string::npos);
  return out;
}

void Redactor::RedactInteraction(Interaction* interaction) const {
  interaction->request_body = RedactBody(interaction->request_body);
  interaction->response_body = RedactBody(interaction->response_body);
  for (auto& [name, value] : interaction->headers) value = RedactText(std::move(value));
}

}  // namespace ssm
