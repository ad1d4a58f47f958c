// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN, else the legacy AWS_SECURITY_TOKEN;
// AWS_CREDENTIAL_EXPIRATION when set), as botocore's EnvProvider reads them.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_ENVIRONMENT_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_ENVIRONMENT_PROVIDER_H_

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class EnvironmentProvider : public CredentialProvider {
 public:
  explicit EnvironmentProvider(CredentialContext context) : context_(std::move(context)) {}
  std::string name() const override { return "environment"; }
  // NotFound without AWS_ACCESS_KEY_ID; InvalidArgument with it but no AWS_SECRET_ACCESS_KEY.
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_ENVIRONMENT_PROVIDER_H_
