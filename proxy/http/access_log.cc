#include "proxy/http/access_log.h"

#include <utility>

#include <spdlog/spdlog.h>

#include "proxy/http/json_log.h"

namespace ssm {

void AppendAccessEntry(std::string* out, const AccessEntry& entry) {
  std::string& line = *out;
  line.reserve(line.size() + 180 + entry.path.size());
  line += "{\"action\":";
  AppendJsonText(&line, entry.action.empty() ? std::string_view("-") : entry.action);
  line += ",\"key\":";
  AppendJsonText(&line, entry.key != nullptr ? entry.key->Describe() : std::string("-"));
  line += ",\"method\":";
  AppendJsonText(&line, entry.method);
  line += ",\"outcome\":\"";
  line += OutcomeName(entry.outcome);
  line += "\",\"path\":";
  AppendJsonText(&line, entry.path);
  line += ",\"status\":";
  line += std::to_string(entry.status);
  if (entry.step > 0) {
    line += ",\"step\":";
    line += std::to_string(entry.step);
    line += ",\"steps\":";
    line += std::to_string(entry.steps);
  }
  line += ",\"us\":";
  line += std::to_string(entry.micros);
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
  std::string line;
  AppendAccessEntry(&line, entry);
  logger_->log(spdlog::level::info, std::string_view(line));
}

}  // namespace ssm
