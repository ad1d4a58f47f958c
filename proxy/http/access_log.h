// AccessLog: the one structured line the server logs per request, as JSON, so that client-chosen bytes
// (a CommandId with quotes or newlines, a path with control characters) cannot forge log lines.
// Headers are never part of it: they carry the client's credentials. The line's time and level are
// added by the log's formatter (proxy/http/json_log.h).
#ifndef SSM_REPLAY_PROXY_HTTP_ACCESS_LOG_H_
#define SSM_REPLAY_PROXY_HTTP_ACCESS_LOG_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/modes/mode.h"
#include "store/tape_key.h"

namespace spdlog {
class logger;
}

namespace ssm {

struct AccessEntry {
  std::string_view method;
  std::string_view path;
  std::string_view action;      // empty when the request named no known action
  const TapeKey* key = nullptr;  // the tape it played from; null when it got no key. Not owned.
  Outcome outcome = Outcome::kError;
  int status = 0;  // 0: the connection was dropped without an answer
  int64_t micros = 0;
  size_t step = 0;   // which entry of the tape answered, from 1; 0: no tape entry did
  size_t steps = 0;  // the tape's length, when step > 0
  std::string_view session = {};  // the request's session; empty: the default session (not logged)
};

// {"action":...,"key":...,"method":...,"outcome":...,"path":...,"session":...,"status":...,"step":...,
// "steps":...,"us":...}: keys sorted, one line, invalid UTF-8 replaced by U+FFFD; "session" only for a
// named session, "step" and "steps" only when a tape entry answered. The key is described in SSM terms
// (TapeKey::Describe).
std::string FormatAccessEntry(const AccessEntry& entry);
// The same, appended to `out`.
void AppendAccessEntry(std::string* out, const AccessEntry& entry);

class AccessLog {
 public:
  // Lines go to `logger` at info level (the logger named kAccessLoggerName, so that the JSON log
  // formatter splices them); nothing is formatted when info is off.
  explicit AccessLog(std::shared_ptr<spdlog::logger> logger);
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(const AccessEntry& entry) const;

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_ACCESS_LOG_H_
