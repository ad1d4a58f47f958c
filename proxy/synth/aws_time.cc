#include "proxy/synth/aws_time.h"

#include <cstdio>
#include <ctime>

namespace ssm {

Result<int64_t> ParseIsoMillis(std::string_view text, const std::string& option) {
  std::string s(text);
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) == 6 && consumed == 19) {
    std::string_view rest = std::string_view(s).substr(19);
    int millis = 0;
    if (!rest.empty() && rest[0] == '.') {
      size_t digits = 1;
      int scale = 100;
      while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') {
        if (scale > 0) millis += (rest[digits] - '0') * scale;
        scale /= 10;
        ++digits;
      }
      rest.remove_prefix(digits);
    }
    bool utc = rest == "Z" || rest == "+00:00";
    bool valid = tm.tm_mon >= 1 && tm.tm_mon <= 12 && tm.tm_mday >= 1 && tm.tm_mday <= 31 && tm.tm_hour < 24 &&
                 tm.tm_min < 60 && tm.tm_sec < 61 && tm.tm_year >= 1970;
    if (utc && valid) {
      tm.tm_year -= 1900;
      tm.tm_mon -= 1;
      return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
    }
  }
  return Status::InvalidArgument(option + ": '" + s + "' is not an ISO 8601 UTC time; write e.g. "
                                 "2026-10-14T09:12:03Z or 2026-10-14T09:12:03.415Z");
}

std::string FormatAwsDuration(int64_t ms) {
  int64_t hours = ms / 3600000, minutes = ms / 60000 % 60, secs = ms / 1000 % 60, millis = ms % 1000;
  std::string out = "PT";
  if (hours) out += std::to_string(hours) + "H";
  if (minutes) out += std::to_string(minutes) + "M";
  if (secs == 0 && millis == 0 && out.size() > 2) return out;
  out += std::to_string(secs);
  if (millis) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(millis));
    std::string f(frac);
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "S";
}

}  // namespace ssm
