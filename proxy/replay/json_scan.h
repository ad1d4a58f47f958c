// ScanJsonMembers: one pass over a JSON text that reports where each member's value is, without
// building a DOM, so a replayed body can be read (its outcome) or edited in place (its dates) at the
// cost of a scan. The bytes between the values are never looked at again, so an edit keeps the
// recorded spacing, member order and number spellings of everything it does not touch.
#ifndef SSM_REPLAY_PROXY_REPLAY_JSON_SCAN_H_
#define SSM_REPLAY_PROXY_REPLAY_JSON_SCAN_H_

#include <cstddef>
#include <functional>
#include <string_view>

namespace ssm {

enum class JsonKind { kString, kNumber, kLiteral };  // literal: true, false, null

// A member of an object whose value is a string, a number or a literal.
struct JsonMember {
  std::string_view name;   // between its quotes, escapes left as written
  std::string_view value;  // the value's text; a string with its quotes, escapes left as written
  size_t offset = 0;       // where `value` starts in the scanned text
  JsonKind kind = JsonKind::kLiteral;
  int depth = 0;           // containers around the member: 1 for a member of the top-level object
};

// Calls `visit` for each member of every object in `text` whose value is not itself an object or
// array, in text order. Returns whether `text` is one valid JSON value (RFC 8259, surrounding
// whitespace allowed, nesting at most kMaxJsonScanDepth deep); when it is not, `visit` may already
// have been called for members before the fault. Never reads outside `text`.
bool ScanJsonMembers(std::string_view text, const std::function<void(const JsonMember&)>& visit);

inline constexpr int kMaxJsonScanDepth = 256;

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_JSON_SCAN_H_
