// RequestHeaders: what the server reads from a request's headers before any mode sees it, and which
// of them it hands on. cpp-httplib adds REMOTE_ADDR, REMOTE_PORT, LOCAL_ADDR and LOCAL_PORT to every
// request's headers; neither function counts or hands on those.
#ifndef SSM_REPLAY_PROXY_HTTP_REQUEST_HEADERS_H_
#define SSM_REPLAY_PROXY_HTTP_REQUEST_HEADERS_H_

#include <cstddef>
#include <cstdint>

#include <httplib.h>

#include "store/interaction.h"

namespace ssm {

// What the server checks before cpp-httplib reads a body, gathered in one pass over the headers.
struct HeaderFacts {
  size_t bytes = 0;             // header section size, as sent
  uint64_t content_length = 0;  // announced body size (0 when absent or unreadable)
  bool chunked = false;         // a Transfer-Encoding was given
};

HeaderFacts GatherHeaderFacts(const httplib::Request& req);

// The request's headers as its mode is handed them: all the client sent, or, for a mode that reads
// none (`all` false: Mode::ReadsRequestHeaders), only those the parser reads (ParserReadsHeader),
// which spares copying the others on every call.
HeaderList HeadersForMode(const httplib::Request& req, bool all, bool session_from_access_key);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_REQUEST_HEADERS_H_
