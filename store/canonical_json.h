// Canonical JSON: object keys sorted, no insignificant whitespace. Two requests that differ only in
// field order or spacing have the same canonical form, and so the same tape.
#ifndef SSM_REPLAY_STORE_CANONICAL_JSON_H_
#define SSM_REPLAY_STORE_CANONICAL_JSON_H_

#include <string>
#include <string_view>

#include "store/status.h"

namespace ssm {

// An empty (or all-whitespace) body is taken as "{}", which is what SDKs send for no parameters.
// InvalidArgument, naming the parse error position, when `body` is not JSON.
Result<std::string> CanonicalJson(std::string_view body);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_CANONICAL_JSON_H_
