#include "proxy/modes/passthrough_mode.h"

#include <spdlog/spdlog.h>

namespace ssm {

ModeAnswer PassthroughMode::Handle(const SsmRequest& request) {
  ModeAnswer answer;
  UpstreamResult forwarded = upstream_->Forward(request);
  if (!forwarded.ok()) {
    spdlog::warn("passthrough: {} for {}: {}", forwarded.error.type, request.action, forwarded.error.message);
    answer.response = forwarded.error.ToResponse();
    answer.outcome = Outcome::kError;
    return answer;
  }
  answer.response = ClientResponse(request, *forwarded.response);
  answer.outcome = Outcome::kForwarded;
  return answer;
}

}  // namespace ssm
