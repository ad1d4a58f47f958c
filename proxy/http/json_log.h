// The server's stderr: every line is one JSON object, so `jq` (or any JSON reader) takes the log line
// by line. Event lines, logged with spdlog's info/warn/error from anywhere, read
//   {"time":"2026-11-02T10:15:30.123Z","level":"info","msg":"..."}
// and access lines (logged through the logger named kAccessLoggerName: proxy/http/access_log.h) are
// the access entry's object with "time" and "level" first:
//   {"time":"...","level":"info","action":"GetCommandInvocation",...,"us":87}
// The format is set here only: InstallJsonLoggers.
#ifndef SSM_REPLAY_PROXY_HTTP_JSON_LOG_H_
#define SSM_REPLAY_PROXY_HTTP_JSON_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

namespace ssm {

// The logger access lines go to; its messages are JSON objects, spliced rather than quoted.
inline constexpr char kAccessLoggerName[] = "access";

// An spdlog formatter writing the lines above. Not thread-safe, as spdlog formatters are not (a sink
// gives each thread its own clone).
class JsonLineFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  // "YYYY-MM-DDTHH:MM:SS" of `cached_second_`, so most lines skip the calendar arithmetic.
  int64_t cached_second_ = -1;
  char cached_text_[80] = {};
};

// Makes `sink`, writing JsonLineFormatter lines, the sink of the default logger (events) and of the
// access logger, both at `level`; warnings and errors are flushed at once.
void InstallJsonLoggers(std::shared_ptr<spdlog::sinks::sink> sink, spdlog::level::level_enum level);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_JSON_LOG_H_
