// The tape browser: a read-only web page at GET /__replay/ui/ (its script and style sheet beside it,
// compiled into the binary) over the JSON of /__replay/api/ (tape_api.h). AdminEndpoints hands these
// paths here after its access check, so the browser is guarded as every admin endpoint is.
//
// Every answer carries a Content-Security-Policy that allows this origin's script and style only (no
// inline script or style, no other origin, no framing) and X-Content-Type-Options: nosniff: the page
// shows recorded output, which is hostile input, and builds its DOM as text only (assets/app.js).
#ifndef SSM_REPLAY_PROXY_HTTP_UI_UI_ENDPOINTS_H_
#define SSM_REPLAY_PROXY_HTTP_UI_UI_ENDPOINTS_H_

#include <string>

#include <httplib.h>

#include "proxy/http/ui/tape_api.h"
#include "proxy/ssm/http_response.h"

namespace ssm {

inline constexpr char kTapeBrowserCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// Whether `path` is the browser's: under /__replay/ui or /__replay/api/.
bool IsTapeBrowserPath(const std::string& path);

// Answers `req`, whose path IsTapeBrowserPath, from `parts` (thread-safe as TapeApi is).
HttpResponse AnswerTapeBrowser(const httplib::Request& req, const TapeBrowserParts& parts);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_UI_UI_ENDPOINTS_H_
