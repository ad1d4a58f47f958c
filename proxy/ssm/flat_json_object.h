// FlatJsonObject: a fast path for the request bodies a polling client sends over and over, e.g.
// {"CommandId": "...", "InstanceId": "..."}: a JSON object whose members are all strings of printable
// ASCII without escapes. Such a body is read without building a JSON DOM, which on a replay hit would
// cost more than the rest of the server's work together. Any other body (numbers, nesting, escapes,
// non-ASCII, duplicate names, invalid JSON) is not taken here and goes to the full parser, so this
// never has to be right about JSON it does not accept.
#ifndef SSM_REPLAY_PROXY_SSM_FLAT_JSON_OBJECT_H_
#define SSM_REPLAY_PROXY_SSM_FLAT_JSON_OBJECT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssm {

struct FlatMember {
  std::string_view name;   // without quotes; points into the parsed text
  std::string_view value;  // likewise
};

// The members of `text`, sorted by name, when `text` has the shape above (whitespace anywhere JSON
// allows it; an all-whitespace text is the empty object); nullopt otherwise. The views point into
// `text` and live as long as it does.
std::optional<std::vector<FlatMember>> ParseFlatJsonObject(std::string_view text);

// The canonical JSON (store/canonical_json.h) of such an object: byte for byte what CanonicalJson
// gives for the text it was parsed from.
std::string CanonicalFlatJson(const std::vector<FlatMember>& sorted_members);

// The value of member `name`, or nullopt.
std::optional<std::string_view> FindFlatMember(const std::vector<FlatMember>& members, std::string_view name);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_FLAT_JSON_OBJECT_H_
