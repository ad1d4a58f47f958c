#include "proxy/modes/fault_spec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace ssm {
namespace {

constexpr char kUsage[] =
    "use KIND=VALUE parts separated by commas: throttle=P, error500=P, reset=P (P from 0 to 1, or N%), "
    "delay=MS or delay=MIN-MAX (milliseconds), notfound-first=N; e.g. "
    "throttle=0.2,delay=5-20,notfound-first=2";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

Status Bad(const std::string& part, const std::string& why) {
  return Status::InvalidArgument("bad --fault part '" + part + "': " + why);
}

// Digits only (no sign, no spaces), at most `max`.
bool ParseCount(const std::string& text, int64_t max, int64_t* out) {
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  long long v = std::strtoll(text.c_str(), nullptr, 10);
  if (v > max) return false;
  *out = v;
  return true;
}

// "0.25", "1", ".5" or "25%".
bool ParseProbability(const std::string& text, double* out) {
  if (text.empty() || text.find_first_not_of("0123456789.%") != std::string::npos) return false;
  bool percent = text.back() == '%';
  std::string number = percent ? text.substr(0, text.size() - 1) : text;
  if (number.empty() || number.find('%') != std::string::npos) return false;
  char* end = nullptr;
  double v = std::strtod(number.c_str(), &end);
  if (*end != '\0' || !std::isfinite(v)) return false;
  if (percent) v /= 100;
  if (v < 0 || v > 1) return false;
  *out = v;
  return true;
}

std::string FormatProbability(double p) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", p);
  return buf;
}

Status ParseInto(const std::string& text, FaultSpec* spec, std::set<std::string>* seen) {
  if (Trim(text).empty())
    return Status::InvalidArgument("bad --fault '': it is empty; " + std::string(kUsage));
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string part =
        Trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (part.empty()) {
      return Status::InvalidArgument("bad --fault '" + text +
                                     "': an empty part (two commas, or one at an end); " + kUsage);
    }
    size_t eq = part.find('=');
    if (eq == std::string::npos) return Bad(part, std::string("expected KIND=VALUE; ") + kUsage);
    std::string kind = Trim(part.substr(0, eq));
    std::string value = Trim(part.substr(eq + 1));
    if (kind == "throttle" || kind == "error500" || kind == "reset") {
      double p = 0;
      if (!ParseProbability(value, &p)) {
        return Bad(part, kind + " takes a probability from 0 to 1 (e.g. " + kind + "=0.2) or a percentage (" +
                             kind + "=20%)");
      }
      (kind == "throttle" ? spec->throttle : kind == "error500" ? spec->error500 : spec->reset) = p;
    } else if (kind == "delay") {
      size_t dash = value.find('-');
      int64_t lo = 0, hi = 0;
      bool ok = dash == std::string::npos
                    ? ParseCount(value, FaultSpec::kMaxDelayMs, &lo) && (hi = lo, true)
                    : ParseCount(value.substr(0, dash), FaultSpec::kMaxDelayMs, &lo) &&
                          ParseCount(value.substr(dash + 1), FaultSpec::kMaxDelayMs, &hi);
      if (!ok) {
        return Bad(part, "delay takes milliseconds, MS or MIN-MAX, each from 0 to " +
                             std::to_string(FaultSpec::kMaxDelayMs) + " (e.g. delay=50 or delay=5-20)");
      }
      if (lo > hi)
        return Bad(part, "the delay range's minimum is above its maximum (use MIN-MAX, e.g. 5-20)");
      spec->delay_min_ms = lo;
      spec->delay_max_ms = hi;
    } else if (kind == "notfound-first") {
      int64_t n = 0;
      if (!ParseCount(value, FaultSpec::kMaxNotFoundFirst, &n)) {
        return Bad(part, "notfound-first takes a number of polls from 0 to " +
                             std::to_string(FaultSpec::kMaxNotFoundFirst) + " (e.g. notfound-first=2)");
      }
      spec->notfound_first = static_cast<uint32_t>(n);
    } else {
      return Bad(part, "unknown fault '" + kind + "'; " + kUsage);
    }
    if (!seen->insert(kind).second) return Bad(part, kind + " is given more than once");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Status::OK();
}

}  // namespace

Result<FaultSpec> FaultSpec::Parse(const std::string& text) { return Parse(std::vector<std::string>{text}); }

Result<FaultSpec> FaultSpec::Parse(const std::vector<std::string>& texts) {
  FaultSpec spec;
  std::set<std::string> seen;
  for (const std::string& text : texts) {
    Status s = ParseInto(text, &spec, &seen);
    if (!s.ok()) return s;
  }
  // One uniform draw per request picks at most one of these, so they share the unit interval.
  if (spec.throttle + spec.error500 + spec.reset > 1 + 1e-9) {
    return Status::InvalidArgument(
        "bad --fault: throttle + error500 + reset is " +
        FormatProbability(spec.throttle + spec.error500 + spec.reset) +
        "; at most one of them happens per request, so their sum must be at most 1");
  }
  return spec;
}

bool FaultSpec::empty() const {
  return throttle == 0 && error500 == 0 && reset == 0 && delay_max_ms == 0 && notfound_first == 0;
}

std::string FaultSpec::ToString() const {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ",") + part; };
  if (throttle > 0) add("throttle=" + FormatProbability(throttle));
  if (error500 > 0) add("error500=" + FormatProbability(error500));
  if (reset > 0) add("reset=" + FormatProbability(reset));
  if (delay_max_ms > 0) {
    add("delay=" + std::to_string(delay_min_ms) +
        (delay_min_ms == delay_max_ms ? "" : "-" + std::to_string(delay_max_ms)));
  }
  if (notfound_first > 0) add("notfound-first=" + std::to_string(notfound_first));
  return out.empty() ? "none" : out;
}

}  // namespace ssm
