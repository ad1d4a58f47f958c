#include "proxy/modes/session_use.h"

#include <utility>

#include "proxy/ssm/aws_error.h"

namespace ssm {

std::optional<ModeAnswer> UseSession(SessionRegistry* sessions, const SsmRequest& request,
                                     std::shared_ptr<Session>* session) {
  session->reset();
  if (request.session.empty() || sessions == nullptr) return std::nullopt;
  Result<std::shared_ptr<Session>> used = sessions->Use(request.session);
  if (used.ok()) {
    *session = std::move(used).value();
    return std::nullopt;
  }
  ModeAnswer refused;
  refused.outcome = Outcome::kError;
  refused.response = AwsError{429, "ThrottlingException", used.status().message()}.ToResponse();
  return refused;
}

}  // namespace ssm
