// EC2 instance profile credentials through IMDSv2 only: PUT /latest/api/token, then
// GET /latest/meta-data/iam/security-credentials/ (the role name), then .../<role> (the credentials).
// Endpoint AWS_EC2_METADATA_SERVICE_ENDPOINT (default http://169.254.169.254, or http://[fd00:ec2::254]
// with AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6); off with AWS_EC2_METADATA_DISABLED=true. Each request
// times out after AWS_METADATA_SERVICE_TIMEOUT seconds, else context.imds_timeout_s (1 s), so a machine
// without IMDS costs about a second.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_IMDS_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_IMDS_PROVIDER_H_

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class ImdsProvider : public CredentialProvider {
 public:
  explicit ImdsProvider(CredentialContext context) : context_(std::move(context)) {}
  std::string name() const override { return "iam-role (EC2 instance metadata)"; }
  // NotFound when disabled or unreachable (no IMDS here: the chain goes on, as botocore's does);
  // an error when IMDS answers but has no usable credentials.
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_IMDS_PROVIDER_H_
