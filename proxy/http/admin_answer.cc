#include "proxy/http/admin_answer.h"

#include <utility>

#include "proxy/ssm/aws_error.h"

namespace ssm {

AdminAnswer JsonAnswer(const nlohmann::json& body) {
  AdminAnswer answer;
  answer.response.status = 200;
  answer.response.headers = {{"Content-Type", "application/json"}};
  answer.response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return answer;
}

AdminAnswer ErrorAnswer(int status, const char* type, std::string message) {
  return {AwsError{status, type, std::move(message)}.ToResponse(), Outcome::kError};
}

AdminAnswer WrongMethod(const char* method, const std::string& path) {
  return ErrorAnswer(405, "MethodNotAllowedException", std::string("Use ") + method + " " + path);
}

}  // namespace ssm
