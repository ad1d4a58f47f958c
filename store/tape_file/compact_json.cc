#include "store/tape_file/compact_json.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

constexpr size_t kMaxDepth = 256;

// What a byte inside a string asks of the scanner. The UTF-8 classes follow RFC 3629, as
// nlohmann's lexer does: no overlong forms, no surrogates, nothing above U+10FFFF.
enum ByteClass : uint8_t {
  kPlain,      // copied as is
  kQuote,      // the string's end
  kBackslash,  // an escape
  kLead2,      // C2..DF: one continuation byte
  kLeadE0,     // E0: A0..BF, then one more
  kLead3,      // E1..EC, EE, EF: two continuation bytes
  kLeadED,     // ED: 80..9F, then one more
  kLeadF0,     // F0: 90..BF, then two more
  kLead4,      // F1..F3: three continuation bytes
  kLeadF4,     // F4: 80..8F, then two more
  kBad,        // control characters (invalid in JSON strings) and bytes no UTF-8 sequence starts with
};

constexpr std::array<uint8_t, 256> kClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kBad;
  t['"'] = kQuote;
  t['\\'] = kBackslash;
  for (int c = 0x80; c <= 0xC1; ++c) t[c] = kBad;
  for (int c = 0xC2; c <= 0xDF; ++c) t[c] = kLead2;
  t[0xE0] = kLeadE0;
  for (int c = 0xE1; c <= 0xEF; ++c) t[c] = kLead3;
  t[0xED] = kLeadED;
  t[0xF0] = kLeadF0;
  for (int c = 0xF1; c <= 0xF3; ++c) t[c] = kLead4;
  t[0xF4] = kLeadF4;
  for (int c = 0xF5; c <= 0xFF; ++c) t[c] = kBad;
  return t;
}();

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

const char* SkipSpace(const char* p, const char* end) {
  while (p < end && IsSpace(*p)) ++p;
  return p;
}

// A UTF-8 sequence at p: its first continuation byte in [lo, hi], then `more` in 80..BF. Returns
// the position after it, or nullptr.
const char* Utf8(const char* p, const char* end, uint8_t lo, uint8_t hi, int more) {
  if (end - p < 2 + more) return nullptr;
  auto b = [&](int i) { return static_cast<uint8_t>(p[i]); };
  if (b(1) < lo || b(1) > hi) return nullptr;
  for (int i = 2; i < 2 + more; ++i) {
    if (b(i) < 0x80 || b(i) > 0xBF) return nullptr;
  }
  return p + 2 + more;
}

// The escape at p (a backslash), if it is the one nlohmann writes for its character. Returns the
// position after it, or nullptr.
const char* Escape(const char* p, const char* end) {
  if (end - p < 2) return nullptr;
  switch (p[1]) {
    case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
      return p + 2;
    case 'u': {
      // nlohmann writes "\u%04x" for control characters without a short escape: \u0000..\u001f.
      if (end - p < 6 || p[2] != '0' || p[3] != '0' || (p[4] != '0' && p[4] != '1')) return nullptr;
      int low = IsDigit(p[5]) ? p[5] - '0' : (p[5] >= 'a' && p[5] <= 'f') ? p[5] - 'a' + 10 : -1;
      if (low < 0) return nullptr;
      int c = (p[4] - '0') * 16 + low;
      if (c == '\b' || c == '\t' || c == '\n' || c == '\f' || c == '\r') return nullptr;
      return p + 6;
    }
    default:
      return nullptr;  // \/ and \u escapes of other characters: nlohmann prints them otherwise
  }
}

// The string whose opening quote is at p. Returns the position after its closing quote, or nullptr.
const char* String(const char* p, const char* end) {
  ++p;
  for (;;) {
    while (p < end && kClass[static_cast<uint8_t>(*p)] == kPlain) ++p;
    if (p >= end) return nullptr;
    switch (kClass[static_cast<uint8_t>(*p)]) {
      case kQuote: return p + 1;
      case kBackslash: p = Escape(p, end); break;
      case kLead2: p = Utf8(p, end, 0x80, 0xBF, 0); break;
      case kLeadE0: p = Utf8(p, end, 0xA0, 0xBF, 1); break;
      case kLead3: p = Utf8(p, end, 0x80, 0xBF, 1); break;
      case kLeadED: p = Utf8(p, end, 0x80, 0x9F, 1); break;
      case kLeadF0: p = Utf8(p, end, 0x90, 0xBF, 2); break;
      case kLead4: p = Utf8(p, end, 0x80, 0xBF, 2); break;
      case kLeadF4: p = Utf8(p, end, 0x80, 0x8F, 2); break;
      default: return nullptr;
    }
    if (p == nullptr) return nullptr;
  }
}

// The number at p, if nlohmann prints it back the same. Returns the position after it, or nullptr.
const char* Number(const char* p, const char* end) {
  const char* start = p;
  if (*p == '-') ++p;
  if (p == end || !IsDigit(*p)) return nullptr;
  if (*p == '0') {
    ++p;
  } else {
    while (p < end && IsDigit(*p)) ++p;
  }
  bool is_float = false;
  if (p < end && *p == '.') {
    ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p < end && IsDigit(*p)) ++p;
    is_float = true;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (p == end || !IsDigit(*p)) return nullptr;
    while (p < end && IsDigit(*p)) ++p;
    is_float = true;
  }
  std::string_view token(start, static_cast<size_t>(p - start));
  if (!is_float) {
    // nlohmann reads integers into uint64_t (no sign) or int64_t, and prints them back the same;
    // larger ones it reads as floats. "-0" reads as 0 and prints so.
    bool negative = token[0] == '-';
    std::string_view digits = token.substr(negative);
    std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
    bool fits = digits.size() < limit.size() || (digits.size() == limit.size() && digits <= limit);
    return fits && token != "-0" ? p : nullptr;
  }
  // nlohmann reads floats with strtod and prints the shortest text that reads back the same: the
  // text is canonical when printing what strtod reads gives it back.
  char buf[64];
  if (token.size() >= sizeof buf) return nullptr;
  std::memcpy(buf, token.data(), token.size());
  buf[token.size()] = '\0';
  double d = std::strtod(buf, nullptr);
  if (!std::isfinite(d) || nlohmann::ordered_json(d).dump() != token) return nullptr;
  return p;
}

const char* Literal(const char* p, const char* end, std::string_view word) {
  if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) return nullptr;
  return p + word.size();
}

struct Open {
  bool is_object;
  size_t keys_begin;  // its keys are keys[keys_begin...]
};

// The steps of CompactJsonValue over one value: each reads from `p` and returns where it stopped, or
// nullptr when the value is not one the fast path takes.
class Compactor {
 public:
  // `open` and `keys` are scratch space, emptied here.
  Compactor(const char* end, std::string* out, std::vector<Open>* open, std::vector<std::string_view>* keys)
      : end_(end), out_(out), open_(*open), keys_(*keys) {
    open_.clear();
    keys_.clear();
    out_->clear();
  }

  // Each turn reads one value (with its key, in an object), then what follows it.
  const char* Run(const char* p) {
    bool key_next = false;  // an object's key comes before the next value
    for (;;) {
      if (key_next && (p = Key(p)) == nullptr) return nullptr;
      bool opened = false;
      if ((p = Value(p, &opened)) == nullptr) return nullptr;
      if (opened) {
        key_next = open_.back().is_object;
        continue;
      }
      bool done = false;
      if ((p = AfterValue(p, &done, &key_next)) == nullptr || done) return p;
    }
  }

 private:
  // An object's key and its ':'. Keys are compared as written: with one spelling allowed per
  // character, equal text is an equal key.
  const char* Key(const char* p) {
    if (p >= end_ || *p != '"') return nullptr;
    const char* key_end = String(p, end_);
    if (key_end == nullptr) return nullptr;
    std::string_view key(p, static_cast<size_t>(key_end - p));
    for (size_t i = open_.back().keys_begin; i < keys_.size(); ++i) {
      if (keys_[i] == key) return nullptr;
    }
    keys_.push_back(key);
    out_->append(key);
    p = SkipSpace(key_end, end_);
    if (p >= end_ || *p != ':') return nullptr;
    out_->push_back(':');
    return SkipSpace(p + 1, end_);
  }

  // A scalar or an empty container, whole; or the opening of a container (`*opened`).
  const char* Value(const char* p, bool* opened) {
    if (p >= end_) return nullptr;
    const char* value = p;
    switch (*p) {
      case '{':
      case '[':
        return OpenContainer(p, opened);
      case '"': p = String(p, end_); break;
      case 't': p = Literal(p, end_, "true"); break;
      case 'f': p = Literal(p, end_, "false"); break;
      case 'n': p = Literal(p, end_, "null"); break;
      default: p = (*p == '-' || IsDigit(*p)) ? Number(p, end_) : nullptr;
    }
    if (p != nullptr) out_->append(value, static_cast<size_t>(p - value));
    return p;
  }

  const char* OpenContainer(const char* p, bool* opened) {
    bool is_object = *p == '{';
    if (open_.size() == kMaxDepth) return nullptr;
    out_->push_back(*p);
    p = SkipSpace(p + 1, end_);
    if (p < end_ && *p == (is_object ? '}' : ']')) {
      out_->push_back(*p++);
      return p;  // an empty container: a finished value
    }
    open_.push_back({is_object, keys_.size()});
    *opened = true;
    return p;
  }

  // After a value: the end of the top value (`*done`), or a ',' (then `*key_next` says whether a key
  // follows), or the end of the container it is in (and so on outwards).
  const char* AfterValue(const char* p, bool* done, bool* key_next) {
    for (;;) {
      if (open_.empty()) {
        *done = true;
        return p == end_ || IsSpace(*p) || *p == ',' || *p == '}' || *p == ']' ? p : nullptr;
      }
      p = SkipSpace(p, end_);
      if (p >= end_) return nullptr;
      const Open& top = open_.back();
      if (*p == ',') {
        out_->push_back(',');
        *key_next = top.is_object;
        return SkipSpace(p + 1, end_);
      }
      if (*p != (top.is_object ? '}' : ']')) return nullptr;
      out_->push_back(*p++);
      keys_.resize(top.keys_begin);
      open_.pop_back();
    }
  }

  const char* const end_;
  std::string* const out_;
  std::vector<Open>& open_;
  std::vector<std::string_view>& keys_;
};

}  // namespace

const char* CompactJsonValue(const char* begin, const char* end, std::string* out) {
  // Per thread and reused: most values need no allocation here.
  thread_local std::vector<Open> open;
  thread_local std::vector<std::string_view> keys;
  return Compactor(end, out, &open, &keys).Run(begin);
}

}  // namespace ssm
