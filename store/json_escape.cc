#include "store/json_escape.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace ssm {
namespace {

// What a byte starts: kCopy, printable ASCII written as is; kEscape, a byte written as an escape;
// kMultiByte, a byte >= 0x80 (the lead byte of a UTF-8 sequence, or an invalid one).
enum ByteClass : uint8_t { kCopy, kEscape, kMultiByte };

constexpr std::array<ByteClass, 256> kClass = [] {
  std::array<ByteClass, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = t['\\'] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kMultiByte;
  return t;
}();

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Whether all eight bytes of `w` are kCopy bytes: checked a word at a time, since most of what is
// escaped (keys, ids, log fields) is plain ASCII.
bool AllCopy(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  auto has_zero_byte = [](uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
  // A byte >= 0x80 sets its own high bit; the lowest byte < 0x20 sets it in w - 0x20...20.
  bool ascii_printable = ((w | (w - kOnes * 0x20)) & kHigh) == 0;
  return ascii_printable && !has_zero_byte(w ^ (kOnes * '"')) && !has_zero_byte(w ^ (kOnes * '\\'));
}

void AppendEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '"': out->append("\\\""); break;
    case '\\': out->append("\\\\"); break;
    case '\b': out->append("\\b"); break;
    case '\t': out->append("\\t"); break;
    case '\n': out->append("\\n"); break;
    case '\f': out->append("\\f"); break;
    case '\r': out->append("\\r"); break;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out->append(u, sizeof u);
    }
  }
}

// The length of the valid UTF-8 sequence starting at p[0] (a byte >= 0x80), or the number of bytes
// of its longest valid prefix, negated (0 when p[0] cannot start a sequence). The ranges of the
// second byte exclude overlong forms, surrogates and code points past U+10FFFF (RFC 3629), as
// nlohmann's decoder does.
int Utf8Sequence(const unsigned char* p, const unsigned char* end) {
  unsigned char lead = p[0];
  int length;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  for (int i = 1; i < length; ++i) {
    if (p + i == end) return -i;
    unsigned char lo = i == 1 ? low : 0x80, hi = i == 1 ? high : 0xBF;
    if (p[i] < lo || p[i] > hi) return -i;
  }
  return length;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const auto* run = p;
    for (uint64_t w; end - p >= 8 && (std::memcpy(&w, p, 8), AllCopy(w));) p += 8;
    while (p < end && kClass[*p] == kCopy) ++p;
    out->append(reinterpret_cast<const char*>(run), static_cast<size_t>(p - run));
    if (p == end) break;
    if (kClass[*p] == kEscape) {
      AppendEscape(*p++, out);
      continue;
    }
    int n = Utf8Sequence(p, end);
    if (n > 0) {
      out->append(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
      p += n;
    } else {
      // The invalid sequence (its valid prefix, or the one byte that starts none) becomes one U+FFFD;
      // the byte that broke it starts the next character.
      out->append(kReplacement);
      p += n < 0 ? -n : 1;
    }
  }
  out->push_back('"');
}

std::string JsonString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(s, &out);
  return out;
}

}  // namespace ssm
