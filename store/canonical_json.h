// Canonical JSON: object keys sorted, no insignificant whitespace. Two requests that differ only in
// field order or spacing have the same canonical form, and so the same tape.
#ifndef SSM_REPLAY_STORE_CANONICAL_JSON_H_
#define SSM_REPLAY_STORE_CANONICAL_JSON_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/status.h"

namespace ssm {

// An empty (or all-whitespace) body is taken as "{}", which is what SDKs send for no parameters.
// InvalidArgument, naming the parse error position, when `body` is not JSON.
Result<std::string> CanonicalJson(std::string_view body);

// The canonical form of an already parsed body: the same bytes CanonicalJson gives for its text, without
// parsing it again. InvalidArgument when a string holds invalid UTF-8 (a DOM built in code can).
Result<std::string> CanonicalJsonOf(const nlohmann::json& parsed);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_CANONICAL_JSON_H_
