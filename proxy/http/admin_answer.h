// AdminAnswer: what an admin endpoint answers, and how the access log counts it; with the JSON and
// AWS-shaped error answers every admin endpoint builds.
#ifndef SSM_REPLAY_PROXY_HTTP_ADMIN_ANSWER_H_
#define SSM_REPLAY_PROXY_HTTP_ADMIN_ANSWER_H_

#include <string>

#include <nlohmann/json.hpp>

#include "proxy/modes/mode.h"
#include "proxy/ssm/http_response.h"

namespace ssm {

struct AdminAnswer {
  HttpResponse response;
  Outcome outcome = Outcome::kHit;  // kError for refused and failed calls
};

// 200 with `body` as JSON (invalid UTF-8 replaced).
AdminAnswer JsonAnswer(const nlohmann::json& body);
// {"__type": type, "message": message} with `status`, counted as an error.
AdminAnswer ErrorAnswer(int status, const char* type, std::string message);
// 405 naming the method and path to use.
AdminAnswer WrongMethod(const char* method, const std::string& path);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_ADMIN_ANSWER_H_
