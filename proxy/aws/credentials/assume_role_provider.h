// A profile with role_arn (and no web_identity_token_file): STS AssumeRole signed with the credentials of
// its source_profile (itself resolved through the profile providers, or another role: chains of any
// length, a cycle refused) or of its credential_source (Environment, Ec2InstanceMetadata, EcsContainer).
// external_id, role_session_name and duration_seconds are passed on; mfa_serial is refused (a server has
// no one to type the code).
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_ASSUME_ROLE_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_ASSUME_ROLE_PROVIDER_H_

#include <string>
#include <vector>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class AssumeRoleProvider : public CredentialProvider {
 public:
  AssumeRoleProvider(CredentialContext context, std::string profile)
      : context_(std::move(context)), profile_(std::move(profile)) {}
  std::string name() const override { return "assume-role"; }
  Result<AwsCredentials> Load() override;

 private:
  Result<AwsCredentials> AssumeRoleOf(const std::string& profile, std::vector<std::string>* visited);
  Result<AwsCredentials> SourceProfileCredentials(const std::string& parent, const std::string& source,
                                                  std::vector<std::string>* visited);
  Result<AwsCredentials> CredentialSourceCredentials(const std::string& parent, const std::string& source);

  const CredentialContext context_;
  const std::string profile_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_ASSUME_ROLE_PROVIDER_H_
