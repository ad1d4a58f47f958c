#include "proxy/replay/json_scan.h"

namespace ssm {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Recursive descent over the grammar of RFC 8259; each method consumes one production at pos_ and
// says whether it was well formed.
class Scanner {
 public:
  Scanner(std::string_view text, const std::function<void(const JsonMember&)>& visit)
      : text_(text), visit_(visit) {}

  bool Document() {
    SkipSpace();
    if (!Value(0, nullptr)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  // A value; when it is the value of a member named *name of an object at `depth`, a scalar one is
  // reported.
  bool Value(int depth, const std::string_view* name) {
    if (pos_ >= text_.size()) return false;
    size_t start = pos_;
    JsonKind kind;
    switch (text_[pos_]) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"':
        if (!String()) return false;
        kind = JsonKind::kString;
        break;
      case 't': if (!Literal("true")) return false; kind = JsonKind::kLiteral; break;
      case 'f': if (!Literal("false")) return false; kind = JsonKind::kLiteral; break;
      case 'n': if (!Literal("null")) return false; kind = JsonKind::kLiteral; break;
      default:
        if (!Number()) return false;
        kind = JsonKind::kNumber;
    }
    if (name != nullptr) visit_(JsonMember{*name, text_.substr(start, pos_ - start), start, kind, depth});
    return true;
  }

  bool Object(int depth) {
    if (depth > kMaxJsonScanDepth) return false;
    ++pos_;  // '{'
    SkipSpace();
    if (Take('}')) return true;
    for (;;) {
      SkipSpace();
      size_t name_start = pos_;
      if (pos_ >= text_.size() || text_[pos_] != '"' || !String()) return false;
      std::string_view name = text_.substr(name_start + 1, pos_ - name_start - 2);
      SkipSpace();
      if (!Take(':')) return false;
      SkipSpace();
      if (!Value(depth, &name)) return false;
      SkipSpace();
      if (Take('}')) return true;
      if (!Take(',')) return false;
    }
  }

  bool Array(int depth) {
    if (depth > kMaxJsonScanDepth) return false;
    ++pos_;  // '['
    SkipSpace();
    if (Take(']')) return true;
    for (;;) {
      SkipSpace();
      if (!Value(depth, nullptr)) return false;
      SkipSpace();
      if (Take(']')) return true;
      if (!Take(',')) return false;
    }
  }

  bool String() {
    ++pos_;  // '"'
    while (pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (pos_ >= text_.size()) return false;
      char e = text_[pos_++];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i, ++pos_) {
          if (pos_ >= text_.size() || !IsHexDigit(text_[pos_])) return false;
        }
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool Number() {
    Take('-');
    if (Take('0')) {
    } else if (!Digits()) {
      return false;
    }
    if (Take('.') && !Digits()) return false;
    if (Take('e') || Take('E')) {
      if (!Take('+')) Take('-');
      if (!Digits()) return false;
    }
    return true;
  }

  bool Digits() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    return pos_ > start;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  std::string_view text_;
  const std::function<void(const JsonMember&)>& visit_;
  size_t pos_ = 0;
};

}  // namespace

bool ScanJsonMembers(std::string_view text, const std::function<void(const JsonMember&)>& visit) {
  return Scanner(text, visit).Document();
}

}  // namespace ssm
