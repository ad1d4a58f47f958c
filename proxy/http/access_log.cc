#include "proxy/http/access_log.h"

#include <charconv>
#include <utility>

#include <spdlog/spdlog.h>

#include "store/json_escape.h"

namespace ssm {
namespace {

void AppendNumber(int64_t n, std::string* out) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out->append(digits, end);
}

}  // namespace

void AppendAccessEntry(std::string* out, const AccessEntry& entry) {
  std::string& line = *out;
  line.reserve(line.size() + 180 + entry.path.size());
  line += "{\"action\":";
  AppendJsonString(entry.action.empty() ? std::string_view("-") : entry.action, &line);
  line += ",\"key\":";
  if (entry.key != nullptr) {
    thread_local std::string description;  // kept for its capacity: no allocation per line
    description.clear();
    entry.key->AppendDescription(&description);
    AppendJsonString(description, &line);
  } else {
    line += "\"-\"";
  }
  line += ",\"method\":";
  AppendJsonString(entry.method, &line);
  line += ",\"outcome\":\"";
  line += OutcomeName(entry.outcome);
  line += "\",\"path\":";
  AppendJsonString(entry.path, &line);
  if (!entry.session.empty()) {
    line += ",\"session\":";
    AppendJsonString(entry.session, &line);
  }
  line += ",\"status\":";
  AppendNumber(entry.status, &line);
  if (entry.step > 0) {
    line += ",\"step\":";
    AppendNumber(static_cast<int64_t>(entry.step), &line);
    line += ",\"steps\":";
    AppendNumber(static_cast<int64_t>(entry.steps), &line);
  }
  line += ",\"us\":";
  AppendNumber(entry.micros, &line);
  line += '}';
}

std::string FormatAccessEntry(const AccessEntry& entry) {
  std::string line;
  AppendAccessEntry(&line, entry);
  return line;
}

AccessLog::AccessLog(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}

void AccessLog::Write(const AccessEntry& entry) const {
  if (!logger_->should_log(spdlog::level::info)) return;
  thread_local std::string line;  // kept for its capacity: no allocation per request
  line.clear();
  AppendAccessEntry(&line, entry);
  logger_->log(spdlog::level::info, std::string_view(line));
}

}  // namespace ssm
