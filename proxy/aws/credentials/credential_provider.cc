#include "proxy/aws/credentials/credential_provider.h"

#include <cstdio>
#include <cstdlib>

namespace ssm {

std::string CredentialContext::Env(const char* name) const {
  if (!env) return "";
  std::optional<std::string> value = env(name);
  return value ? *value : std::string();
}

std::time_t ParseIso8601(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &used) != 6) {
    return -1;
  }
  size_t rest = static_cast<size_t>(used);
  if (rest < text.size() && text[rest] == '.') {
    ++rest;
    while (rest < text.size() && std::isdigit(static_cast<unsigned char>(text[rest]))) ++rest;
  }
  long offset = 0;
  const std::string zone = text.substr(rest);
  if (zone == "Z" || zone == "z" || zone.empty()) {
    offset = 0;
  } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 6 && zone[3] == ':') {
    offset = (std::atol(zone.substr(1, 2).c_str()) * 60 + std::atol(zone.substr(4, 2).c_str())) * 60;
    if (zone[0] == '-') offset = -offset;
  } else {
    return -1;
  }
  std::tm tm {};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t utc = timegm(&tm);
  return utc == -1 ? -1 : utc - offset;
}

std::string FormatIso8601(std::time_t when) {
  std::tm tm {};
  gmtime_r(&when, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace ssm
