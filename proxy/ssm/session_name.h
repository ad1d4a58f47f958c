// The session of a request (issue 13): which replay timeline a call walks. In order, the first that
// is present wins:
//   the header X-Ssm-Replay-Session: NAME;
//   a path prefix: POST /session/NAME or POST /session/NAME/ (a client whose endpoint URL ends in
//   /session/NAME), the SSM call itself being otherwise as usual;
//   with serve --session-from-access-key, the access key id of the SigV4 Credential= in Authorization;
//   else the default session (the empty name; "default" names it too).
// NAME is 1-128 characters of [A-Za-z0-9._:-]; any other is refused with a 400 ValidationException.
#ifndef SSM_REPLAY_PROXY_SSM_SESSION_NAME_H_
#define SSM_REPLAY_PROXY_SSM_SESSION_NAME_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/ssm/aws_error.h"
#include "store/interaction.h"

namespace ssm {

inline constexpr char kSessionHeader[] = "X-Ssm-Replay-Session";
inline constexpr char kSessionPathPrefix[] = "/session/";
inline constexpr size_t kMaxSessionName = 128;
// What the default session is called where a name must be shown (it is "" internally).
inline constexpr char kDefaultSessionName[] = "default";

// nullopt when `name` is a valid session name; else the 400 ValidationException stating the rule.
std::optional<AwsError> CheckSessionName(std::string_view name);
bool IsValidSessionName(std::string_view name);

// The session of a name as given by a client or an admin call: "default" is the default session ("").
std::string NormalizeSessionName(std::string_view name);
// The name shown for a session: "default" for "".
std::string DisplaySessionName(const std::string& name);

// For a path /session/NAME or /session/NAME/: NAME (possibly empty or invalid). nullopt for other paths.
std::optional<std::string_view> SessionOfPath(std::string_view path);

// The access key id of an "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ..."
// Authorization value; nullopt when it has none.
std::optional<std::string_view> AccessKeyOfAuthorization(std::string_view authorization);

// How a request names its session.
struct SessionSources {
  std::optional<std::string_view> path_name;  // SessionOfPath of the request's path
  bool from_access_key = false;               // serve --session-from-access-key
};

// The session of a request with `headers` (normalized: "" for the default session), or the 400
// ValidationException when the name it gives breaks the rule (the message says where it came from).
std::optional<std::string> SessionOfRequest(const HeaderList& headers, const SessionSources& sources,
                                            AwsError* error);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_SESSION_NAME_H_
