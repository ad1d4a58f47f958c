#include "proxy/record/redactor.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>
#include <re2/re2.h>

#include "store/json_escape.h"

namespace ssm {
namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsKeyIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Access key ids: long-term (AKIA) and temporary (ASIA), 20 characters in all, as a whole word.
std::string RedactAccessKeyIds(std::string text) {
  constexpr size_t kLen = 20;
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i + kLen <= text.size(); ++i) {
    if (text[i] != 'A' || (text.compare(i, 4, "AKIA") != 0 && text.compare(i, 4, "ASIA") != 0)) continue;
    if (i > 0 && IsWordChar(text[i - 1])) continue;
    if (i + kLen < text.size() && IsWordChar(text[i + kLen])) continue;
    if (!std::all_of(text.begin() + i + 4, text.begin() + i + kLen, IsKeyIdChar)) continue;
    out.append(text, copied, i - copied);
    out += kRedacted;
    copied = i + kLen;
    i = copied - 1;
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

// Values of presigned-URL query parameters that carry a credential scope, a signature or a session
// token ("X-Amz-Signature=<value>", any case), up to the next '&', quote, angle bracket or space.
std::string RedactUrlCredentials(std::string text) {
  static const char* const kParams[] = {"x-amz-signature=", "x-amz-credential=", "x-amz-security-token="};
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.find("x-amz-") == std::string::npos) return text;
  std::string out;
  size_t copied = 0;
  for (size_t i = lower.find("x-amz-"); i != std::string::npos; i = lower.find("x-amz-", i + 1)) {
    if (i < copied) continue;
    for (const char* param : kParams) {
      size_t plen = std::strlen(param);
      if (lower.compare(i, plen, param) != 0) continue;
      size_t start = i + plen, end = start;
      while (end < text.size() && std::strchr("&\"'<> \t\r\n", text[end]) == nullptr) ++end;
      if (end == start) break;
      out.append(text, copied, start - copied);
      out += kRedacted;
      copied = end;
      break;
    }
  }
  if (copied == 0) return text;
  out.append(text, copied, std::string::npos);
  return out;
}

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

// A user's --redact pattern, compiled; InvalidArgument naming it and what is wrong with it.
Result<std::shared_ptr<const RE2>> CompilePattern(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // the error goes back to the caller, not to stderr
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    return Status::InvalidArgument("--redact pattern '" + pattern + "' is not a valid RE2 regular expression: " +
                                   re->error());
  }
  // A pattern matching "" would put a placeholder between every two characters.
  if (RE2::FullMatch("", *re)) {
    return Status::InvalidArgument("--redact pattern '" + pattern +
                                   "' matches the empty string; make it match at least one character");
  }
  return re;
}

}  // namespace

Result<Redactor> Redactor::Create(const RedactorOptions& options) {
  Redactor r;
  r.secrets_->Learn(options.secrets);
  for (const auto& p : options.patterns) {
    auto re = CompilePattern(p);
    if (!re.ok()) return re.status();
    r.patterns_.push_back(std::move(re).value());
  }
  return r;
}

std::string Redactor::RedactText(std::string text) const { return RedactTextWith(*secrets_->Snapshot(), std::move(text)); }

std::string Redactor::RedactTextWith(const std::vector<std::string>& secrets, std::string text) const {
  if (text.empty()) return text;
  for (const auto& s : secrets) ReplaceAll(&text, s, kRedacted);
  text = RedactUrlCredentials(std::move(text));
  text = RedactAccessKeyIds(std::move(text));
  for (const auto& re : patterns_) RE2::GlobalReplace(&text, *re, kRedacted);
  return text;
}

std::string Redactor::RedactBody(const std::string& body) const { return RedactBodyWith(*secrets_->Snapshot(), body); }

std::string Redactor::RedactBodyWith(const std::vector<std::string>& secrets, const std::string& body) const {
  if (body.empty()) return body;
  if (!nlohmann::json::accept(body)) return RedactTextWith(secrets, body);
  std::string out;
  out.reserve(body.size());
  size_t copied = 0;  // body[0, copied) is already in `out`
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '"') continue;
    size_t end = StringTokenEnd(body, i);
    std::string token = body.substr(i, end + 1 - i);
    std::string value = nlohmann::json::parse(token).get<std::string>();
    std::string redacted = RedactTextWith(secrets, value);
    if (redacted != value) {
      out.append(body, copied, i - copied);
      AppendJsonString(redacted, &out);
      copied = end + 1;
    }
    i = end;
  }
  if (copied == 0) return body;  // nothing redacted: the exact bytes received
  out.append(body, copied, std::string::npos);
  return out;
}

void Redactor::RedactInteraction(Interaction* interaction) const {
  std::shared_ptr<const std::vector<std::string>> secrets = secrets_->Snapshot();
  interaction->request_body = RedactBodyWith(*secrets, interaction->request_body);
  interaction->response_body = RedactBodyWith(*secrets, interaction->response_body);
  for (auto& [name, value] : interaction->headers) value = RedactTextWith(*secrets, std::move(value));
}

}  // namespace ssm
