// ECS/EKS/CodeBuild container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2) or
// AWS_CONTAINER_CREDENTIALS_FULL_URI (http on a loopback or the ECS/EKS link-local hosts, or any https),
// with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every fetch, it rotates) or
// AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_CONTAINER_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_CONTAINER_PROVIDER_H_

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class ContainerProvider : public CredentialProvider {
 public:
  explicit ContainerProvider(CredentialContext context) : context_(std::move(context)) {}
  std::string name() const override { return "container-role"; }
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
};

// Reads {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"} (the container endpoint's and IMDS's
// answer). `what` names the source in messages.
Result<AwsCredentials> ParseRoleCredentialsJson(const std::string& body, const std::string& what);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_CONTAINER_PROVIDER_H_
