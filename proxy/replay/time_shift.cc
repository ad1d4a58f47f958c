#include "proxy/replay/time_shift.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "proxy/replay/json_scan.h"

namespace ssm {
namespace {

// Wide enough for a 36-digit date at 10^-20 s plus any allowed offset.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr int kMaxDigits = 36;      // significant digits of a number taken for a date
constexpr int kMaxScale = 20;       // decimals of a date's seconds taken into account
constexpr int kMaxIsoFraction = 9;  // digits after the seconds of an ISO 8601 date

constexpr std::string_view kEpochDates[] = {"RequestedDateTime", "ExpiresAfter", "ResponseStartDateTime",
                                            "ResponseFinishDateTime"};
constexpr std::string_view kIsoDates[] = {"ExecutionStartDateTime", "ExecutionEndDateTime"};

template <size_t N>
bool Contains(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}
bool IsEpochDate(std::string_view name) { return Contains(kEpochDates, name); }
bool IsIsoDate(std::string_view name) { return Contains(kIsoDates, name); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Int128 Pow10(int n) {
  Int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

Int128 FloorDiv(Int128 a, Int128 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// `offset_ms` in units of 10^-scale seconds, rounded half away from zero when coarser than a ms.
Int128 OffsetInScale(int64_t offset_ms, int scale) {
  if (scale >= 3) return Int128{offset_ms} * Pow10(scale - 3);
  Int128 unit = Pow10(3 - scale), half = unit / 2;
  return offset_ms >= 0 ? (Int128{offset_ms} + half) / unit : -((-Int128{offset_ms} + half) / unit);
}

// |v| in decimal, at least `min_digits` digits (zero-padded on the left).
std::string Decimal(Int128 v, int min_digits) {
  std::string out;
  for (UInt128 u = v < 0 ? -static_cast<UInt128>(v) : static_cast<UInt128>(v);
       u != 0 || static_cast<int>(out.size()) < min_digits; u /= 10) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// A JSON number as digits * 10^-scale, and how it was spelled.
struct EpochNumber {
  Int128 value = 0;     // signed digits
  int scale = 0;        // decimals the digits carry (negative for 2E9)
  int fraction = 0;     // digits written after the point
  std::string_view exponent;  // as written after 'e' or 'E' (with its sign), empty for none
  char e = 'E';
};

std::optional<EpochNumber> ParseEpochNumber(std::string_view t) {
  EpochNumber n;
  size_t i = 0, significant = 0;
  bool negative = i < t.size() && t[i] == '-';
  if (negative) ++i;
  auto take_digit = [&](char c) {
    if (n.value != 0 || c != '0') ++significant;
    n.value = n.value * 10 + (c - '0');
  };
  for (; i < t.size() && IsDigit(t[i]) && significant <= kMaxDigits; ++i) take_digit(t[i]);
  if (i < t.size() && t[i] == '.') {
    for (++i; i < t.size() && IsDigit(t[i]) && significant <= kMaxDigits; ++i, ++n.fraction) take_digit(t[i]);
  }
  int exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    n.e = t[i];
    n.exponent = t.substr(i + 1);
    size_t j = i + 1;
    bool minus = j < t.size() && t[j] == '-';
    if (j < t.size() && (t[j] == '-' || t[j] == '+')) ++j;
    for (; j < t.size() && IsDigit(t[j]) && exponent <= kMaxScale + kMaxDigits; ++j) exponent = exponent * 10 + (t[j] - '0');
    if (j != t.size() || !IsDigit(t.back())) return std::nullopt;
    if (minus) exponent = -exponent;
    i = t.size();
  }
  if (i != t.size() || significant > kMaxDigits) return std::nullopt;
  n.scale = n.fraction - exponent;
  if (n.scale > kMaxScale || n.scale < -kMaxDigits) return std::nullopt;
  if (negative) n.value = -n.value;
  return n;
}

// The number moved by `offset_ms`, spelled as recorded: plain with as many decimals; exponent form
// with the same exponent and ms precision, trailing zeros of the mantissa dropped as Java prints.
std::optional<std::string> ShiftEpochNumber(std::string_view text, int64_t offset_ms) {
  std::optional<EpochNumber> n = ParseEpochNumber(text);
  if (!n) return std::nullopt;
  bool exponent_form = !n->exponent.empty();
  int scale = exponent_form ? std::max(n->scale, 3) : n->scale;
  if (static_cast<int>(Decimal(n->value, 1).size()) + (scale - n->scale) > kMaxDigits) return std::nullopt;
  Int128 shifted = n->value * Pow10(scale - n->scale) + OffsetInScale(offset_ms, scale);
  int decimals = exponent_form ? scale - n->scale + n->fraction : scale;  // of the mantissa
  std::string digits = Decimal(shifted, decimals + 1);
  std::string out = shifted < 0 ? "-" : "";
  out += digits.substr(0, digits.size() - decimals);
  std::string fraction = digits.substr(digits.size() - decimals);
  if (exponent_form) {
    size_t keep = n->fraction > 0 ? 1 : 0;
    while (fraction.size() > keep && fraction.back() == '0') fraction.pop_back();
  }
  if (!fraction.empty()) out += "." + fraction;
  if (exponent_form) out += n->e + std::string(n->exponent);
  return out;
}

std::optional<int64_t> EpochNumberMs(std::string_view text) {
  std::optional<EpochNumber> n = ParseEpochNumber(text);
  if (!n || n->scale < 0) return std::nullopt;
  if (static_cast<int>(Decimal(n->value, 1).size()) - n->scale > 15) return std::nullopt;  // ms past int64
  Int128 ms = n->scale >= 3 ? n->value / Pow10(n->scale - 3) : n->value * Pow10(3 - n->scale);
  return static_cast<int64_t>(ms);
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, any year).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+00:00)" with its quotes, as ticks of 10^-fraction seconds.
struct IsoDate {
  Int128 ticks = 0;
  int fraction = 0;
  std::string_view zone;
};

std::optional<IsoDate> ParseIsoDate(std::string_view quoted) {
  if (quoted.size() < 2 + 20) return std::nullopt;
  std::string_view t = quoted.substr(1, quoted.size() - 2);
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !IsDigit(t[i]) : t[i] != kShape[i]) return std::nullopt;
  }
  auto field = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  int year = field(0, 4), month = field(5, 2), day = field(8, 2);
  int hour = field(11, 2), minute = field(14, 2), second = field(17, 2);
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  IsoDate d;
  Int128 fraction = 0;
  size_t i = kShape.size();
  if (i < t.size() && t[i] == '.') {
    for (++i; i < t.size() && IsDigit(t[i]) && d.fraction <= kMaxIsoFraction; ++i, ++d.fraction) {
      fraction = fraction * 10 + (t[i] - '0');
    }
    if (d.fraction == 0 || d.fraction > kMaxIsoFraction) return std::nullopt;
  }
  d.zone = t.substr(i);
  if (d.zone != "Z" && d.zone != "+00:00") return std::nullopt;
  int64_t seconds = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  d.ticks = Int128{seconds} * Pow10(d.fraction) + fraction;
  return d;
}

std::optional<std::string> FormatIsoDate(const IsoDate& d) {
  Int128 unit = Pow10(d.fraction);
  Int128 seconds = FloorDiv(d.ticks, unit);
  Int128 days = FloorDiv(seconds, 86400);
  int64_t second_of_day = static_cast<int64_t>(seconds - days * 86400);
  int64_t year;
  int month, day;
  CivilFromDays(static_cast<int64_t>(days), &year, &month, &day);
  if (year < 0 || year > 9999) return std::nullopt;
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d", static_cast<int>(year), month, day,
                static_cast<int>(second_of_day / 3600), static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60));
  std::string out = buf;
  if (d.fraction > 0) out += "." + Decimal(d.ticks - seconds * unit, d.fraction);
  return out + std::string(d.zone) + "\"";
}

std::optional<std::string> ShiftIsoDate(std::string_view quoted, int64_t offset_ms) {
  std::optional<IsoDate> d = ParseIsoDate(quoted);
  if (!d) return std::nullopt;
  d->ticks += OffsetInScale(offset_ms, d->fraction);
  return FormatIsoDate(*d);
}

std::optional<int64_t> IsoDateMs(std::string_view quoted) {
  std::optional<IsoDate> d = ParseIsoDate(quoted);
  if (!d) return std::nullopt;
  Int128 ticks = d->ticks;
  return static_cast<int64_t>(d->fraction >= 3 ? FloorDiv(ticks, Pow10(d->fraction - 3))
                                               : ticks * Pow10(3 - d->fraction));
}

// The date `member` holds, shifted (or nullopt: not a date, or not one this can move).
std::optional<std::string> ShiftedDate(const JsonMember& member, int64_t offset_ms) {
  if (member.kind == JsonKind::kNumber && IsEpochDate(member.name)) return ShiftEpochNumber(member.value, offset_ms);
  if (member.kind == JsonKind::kString && IsIsoDate(member.name)) return ShiftIsoDate(member.value, offset_ms);
  return std::nullopt;
}

}  // namespace

std::string ShiftTimes(std::string_view body, int64_t offset_ms) {
  if (offset_ms == 0 || offset_ms > kMaxTimeShiftMs || offset_ms < -kMaxTimeShiftMs) return std::string(body);
  struct Edit {
    size_t offset, length;
    std::string text;
  };
  std::vector<Edit> edits;
  bool valid = ScanJsonMembers(body, [&](const JsonMember& member) {
    if (std::optional<std::string> shifted = ShiftedDate(member, offset_ms)) {
      edits.push_back(Edit{member.offset, member.value.size(), std::move(*shifted)});
    }
  });
  if (!valid || edits.empty()) return std::string(body);
  std::string out;
  out.reserve(body.size() + 8 * edits.size());
  size_t copied = 0;
  for (const Edit& edit : edits) {
    out.append(body.substr(copied, edit.offset - copied));
    out += edit.text;
    copied = edit.offset + edit.length;
  }
  out.append(body.substr(copied));
  return out;
}

std::optional<int64_t> RecordedTimeMs(const Interaction& entry) {
  if (entry.recorded_at_ms != 0) return entry.recorded_at_ms;
  std::optional<int64_t> earliest;
  ScanJsonMembers(entry.response_body, [&](const JsonMember& member) {
    std::optional<int64_t> ms;
    if (member.kind == JsonKind::kNumber && IsEpochDate(member.name)) ms = EpochNumberMs(member.value);
    if (member.kind == JsonKind::kString && IsIsoDate(member.name)) ms = IsoDateMs(member.value);
    if (ms && (!earliest || *ms < *earliest)) earliest = ms;
  });
  return earliest;
}

}  // namespace ssm
