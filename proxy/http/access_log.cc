#include "proxy/http/access_log.h"

#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "proxy/ssm/flat_json_object.h"

namespace ssm {
namespace {

// Almost every field is plain ASCII and is copied as is; anything else takes nlohmann's escaper,
// which also replaces invalid UTF-8. Building a JSON DOM per request cost more than all of the
// server's own work on a hit.
void AppendJsonString(std::string* out, std::string_view s) {
  if (IsPlainJsonText(s)) {
    out->push_back('"');
    out->append(s);
    out->push_back('"');
  } else {
    out->append(nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace

void AppendAccessEntry(std::string* out, const AccessEntry& entry) {
  std::string& line = *out;
  line.reserve(line.size() + 160 + entry.path.size());
  line += "{\"action\":";
  AppendJsonString(&line, entry.action.empty() ? std::string_view("-") : entry.action);
  line += ",\"key\":";
  AppendJsonString(&line, entry.key != nullptr ? entry.key->Describe() : std::string("-"));
  line += ",\"method\":";
  AppendJsonString(&line, entry.method);
  line += ",\"outcome\":\"";
  line += OutcomeName(entry.outcome);
  line += "\",\"path\":";
  AppendJsonString(&line, entry.path);
  line += ",\"status\":";
  line += std::to_string(entry.status);
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
  std::string line = "access ";
  AppendAccessEntry(&line, entry);
  logger_->log(spdlog::level::info, std::string_view(line));
}

}  // namespace ssm
