#include "proxy/record/redactor.h"

#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <utility>

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

// Inputs longer than this run user patterns on a thread with a stack sized for them: libstdc++'s
// std::regex recurses once per character matched and overflows an 8 MiB stack at a few tens of
// thousands of characters (a 24,000-character StandardOutputContent is ordinary).
constexpr size_t kInlineRegexBytes = 8 * 1024;
constexpr size_t kRegexStackBytesPerChar = 1024;  // measured need is ~300
constexpr size_t kMaxRegexStackBytes = size_t{2} << 30;

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsKeyIdChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Access key ids: long-term (AKIA) and temporary (ASIA), 20 characters in all, as a whole word.
// Hand-written rather than a regex: linear, and no recursion on long bodies.
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

// Runs `fn` on a thread whose stack holds `stack_bytes` (only the pages touched are committed).
void RunWithStack(size_t stack_bytes, const std::function<void()>& fn) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, stack_bytes);
  pthread_t thread;
  auto trampoline = [](void* arg) -> void* {
    (*static_cast<const std::function<void()>*>(arg))();
    return nullptr;
  };
  if (pthread_create(&thread, &attr, trampoline, const_cast<std::function<void()>*>(&fn)) != 0) {
    pthread_attr_destroy(&attr);
    fn();  // no thread to be had: do it here rather than skip redaction
    return;
  }
  pthread_attr_destroy(&attr);
  pthread_join(thread, nullptr);
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
  text = RedactUrlCredentials(std::move(text));
  text = RedactAccessKeyIds(std::move(text));
  if (patterns_.empty()) return text;
  auto apply = [&] {
    for (const auto& re : patterns_) text = std::regex_replace(text, re, kRedacted);
  };
  if (text.size() <= kInlineRegexBytes) {
    apply();
  } else {
    RunWithStack(std::min(kMaxRegexStackBytes, (size_t{1} << 20) + text.size() * kRegexStackBytesPerChar),
                 apply);
  }
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
