#include "proxy/ssm/flat_json_object.h"

#include <algorithm>

namespace ssm {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Bytes a string may hold on the fast path: printable ASCII that nlohmann's dump() writes unchanged.
// A table, because every byte of every request body and access-log line is looked up here.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c <= 0x7e; ++c) plain[c] = c != '"' && c != '\\';
  }
};
constexpr PlainTable kPlain;

bool IsPlain(char c) { return kPlain.plain[static_cast<unsigned char>(c)]; }

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (pos_ < text_.size() && IsJsonSpace(text_[pos_])) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool Peek(char c) {
    SkipSpace();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  // A string of plain bytes; false on anything else (an escape, a control byte, non-ASCII, no end).
  bool PlainString(std::string_view* out) {
    if (!Consume('"')) return false;
    size_t start = pos_;
    while (pos_ < text_.size() && IsPlain(text_[pos_])) ++pos_;
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    *out = text_.substr(start, pos_ - start);
    ++pos_;
    return true;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<std::vector<FlatMember>> ParseFlatJsonObject(std::string_view text) {
  std::vector<FlatMember> members;
  members.reserve(4);  // GetCommandInvocation sends two or three
  Scanner in(text);
  if (in.AtEnd()) return members;  // SDKs send an empty body for calls without parameters
  if (!in.Consume('{')) return std::nullopt;
  if (!in.Consume('}')) {
    do {
      FlatMember m;
      if (!in.PlainString(&m.name) || !in.Consume(':') || !in.PlainString(&m.value)) return std::nullopt;
      members.push_back(m);
    } while (in.Consume(','));
    if (!in.Consume('}')) return std::nullopt;
  }
  if (!in.AtEnd()) return std::nullopt;
  std::sort(members.begin(), members.end(),
            [](const FlatMember& a, const FlatMember& b) { return a.name < b.name; });
  // A repeated name: JSON leaves its meaning open; the full parser decides (the last one wins).
  for (size_t i = 1; i < members.size(); ++i) {
    if (members[i].name == members[i - 1].name) return std::nullopt;
  }
  return members;
}

std::string CanonicalFlatJson(const std::vector<FlatMember>& sorted_members) {
  size_t size = 2;
  for (const FlatMember& m : sorted_members) size += m.name.size() + m.value.size() + 6;
  std::string out;
  out.reserve(size);
  out += '{';
  for (const FlatMember& m : sorted_members) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += m.name;
    out += "\":\"";
    out += m.value;
    out += '"';
  }
  out += '}';
  return out;
}

std::optional<std::string_view> FindFlatMember(const std::vector<FlatMember>& members, std::string_view name) {
  auto it = std::lower_bound(members.begin(), members.end(), name,
                             [](const FlatMember& m, std::string_view n) { return m.name < n; });
  if (it == members.end() || it->name != name) return std::nullopt;
  return it->value;
}

}  // namespace ssm
