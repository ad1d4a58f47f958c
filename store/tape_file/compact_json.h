// A fast path for one narrow job of import: copying a JSON value that is already spelled the way
// nlohmann's dump spells it, minus the whitespace, without building it.
//
// A tape file's response bodies are pretty-printed by `export` (nlohmann's dump with an indent), so
// their compact form is their text without the whitespace between tokens: a scan, several times
// cheaper than nlohmann's lexer. This takes that common case and declines everything else, which
// nlohmann then parses (store/tape_file/tape_document.h).
#ifndef SSM_REPLAY_STORE_TAPE_FILE_COMPACT_JSON_H_
#define SSM_REPLAY_STORE_TAPE_FILE_COMPACT_JSON_H_

#include <string>

namespace ssm {

// Reads the JSON value that starts at `begin` (no leading whitespace) and ends before `end`.
// Returns the end of the value, with `out` holding exactly what
// nlohmann::ordered_json::parse(value).dump(-1, ' ', false, strict) gives, when all of this holds:
//   - the value is valid JSON (as nlohmann's parser, without comments, accepts it),
//   - its strings use only the escapes nlohmann writes (\" \\ \b \f \n \r \t, \u00xx for other
//     control characters, lower case) and hold valid UTF-8,
//   - its numbers are integers in the range of int64_t or uint64_t other than -0, or floats whose
//     text is the one nlohmann prints for them,
//   - no object in it repeats a key, nesting is at most 256 deep,
//   - it is followed by whitespace, ',', '}', ']' or `end` (so that no other token can join it).
// Otherwise returns nullptr (and `out` is unspecified): callers let nlohmann parse the value.
const char* CompactJsonValue(const char* begin, const char* end, std::string* out);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_FILE_COMPACT_JSON_H_
