// PassthroughMode: forwards every call upstream and answers with what upstream said; records nothing.
// For comparing a client's behaviour with and without the proxy in the way.
#ifndef SSM_REPLAY_PROXY_MODES_PASSTHROUGH_MODE_H_
#define SSM_REPLAY_PROXY_MODES_PASSTHROUGH_MODE_H_

#include "proxy/modes/mode.h"
#include "proxy/aws/upstream.h"

namespace ssm {

class PassthroughMode : public Mode {
 public:
  // `upstream` is not owned and must outlive the mode.
  explicit PassthroughMode(Upstream* upstream) : upstream_(upstream) {}
  PassthroughMode(const PassthroughMode&) = delete;
  PassthroughMode& operator=(const PassthroughMode&) = delete;

  const char* name() const override { return "passthrough"; }
  ModeAnswer Handle(const SsmRequest& request) override;

 private:
  Upstream* upstream_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_MODES_PASSTHROUGH_MODE_H_
