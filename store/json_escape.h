// AppendJsonString: a string as a JSON string token, the one escaper every layer uses (tape files,
// the access log, AWS error bodies, redacted bodies).
//
// Byte for byte what nlohmann::json's dump(-1, ' ', /*ensure_ascii=*/false, error_handler_t::replace)
// writes for a string: '"', '\\' and control characters escaped (the short forms \b \t \n \f \r, else
// \u00xx in lower case), valid UTF-8 copied as is, and each invalid UTF-8 sequence replaced by U+FFFD
// as nlohmann replaces it. So a tape file written with it reads back, and is written again, byte for
// byte. Hand-written rather than a call into nlohmann because it runs once per field on hot paths
// (every access-log line, every string of an imported tape), where building a JSON value costs more
// than the rest of the work.
#ifndef SSM_REPLAY_STORE_JSON_ESCAPE_H_
#define SSM_REPLAY_STORE_JSON_ESCAPE_H_

#include <string>
#include <string_view>

namespace ssm {

// Appends `s` to `*out` as a quoted JSON string.
void AppendJsonString(std::string_view s, std::string* out);

// `s` as a quoted JSON string.
std::string JsonString(std::string_view s);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_JSON_ESCAPE_H_
