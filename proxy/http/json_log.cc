#include "proxy/http/json_log.h"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <utility>

#include <spdlog/spdlog.h>

#include "store/json_escape.h"

namespace ssm {
namespace {

const char* LevelName(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

void Append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

}  // namespace

void JsonLineFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  auto since_epoch = msg.time.time_since_epoch();
  int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count();
  int64_t second = millis / 1000;
  if (second != cached_second_) {
    time_t t = static_cast<time_t>(second);
    struct tm tm {};
    gmtime_r(&t, &tm);
    std::snprintf(cached_text_, sizeof cached_text_, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_second_ = second;
  }
  int ms = static_cast<int>(millis % 1000);
  const char fraction[] = {'.', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                           static_cast<char>('0' + ms % 10), 'Z'};

  std::string_view payload(msg.payload.data(), msg.payload.size());
  Append(dest, "{\"time\":\"");
  Append(dest, cached_text_);
  Append(dest, std::string_view(fraction, sizeof fraction));
  Append(dest, "\",\"level\":\"");
  Append(dest, LevelName(msg.level));
  bool access = std::string_view(msg.logger_name.data(), msg.logger_name.size()) == kAccessLoggerName &&
                payload.size() >= 2 && payload.front() == '{' && payload.back() == '}';
  if (access) {  // the entry's members follow
    Append(dest, payload.size() > 2 ? "\"," : "\"");
    Append(dest, payload.substr(1));
  } else {
    Append(dest, "\",\"msg\":");
    std::string text;
    AppendJsonString(payload, &text);
    Append(dest, text);
    Append(dest, "}");
  }
  Append(dest, "\n");
}

std::unique_ptr<spdlog::formatter> JsonLineFormatter::clone() const {
  return std::make_unique<JsonLineFormatter>();
}

void InstallJsonLoggers(std::shared_ptr<spdlog::sinks::sink> sink, spdlog::level::level_enum level) {
  sink->set_formatter(std::make_unique<JsonLineFormatter>());
  auto make = [&](const char* name) {
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    return logger;
  };
  spdlog::set_default_logger(make("ssm-replay"));
  spdlog::drop(kAccessLoggerName);
  spdlog::register_logger(make(kAccessLoggerName));
}

}  // namespace ssm
