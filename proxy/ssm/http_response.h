// HttpResponse: what the proxy answers a client, independent of the HTTP library.
#ifndef SSM_REPLAY_PROXY_SSM_HTTP_RESPONSE_H_
#define SSM_REPLAY_PROXY_SSM_HTTP_RESPONSE_H_

#include <string>

#include "store/interaction.h"

namespace ssm {

struct HttpResponse {
  int status = 200;
  HeaderList headers;  // Date, Content-Length and connection headers are added by the server
  std::string body;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_HTTP_RESPONSE_H_
