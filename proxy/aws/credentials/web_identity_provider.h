// OIDC web identity (EKS IRSA, GitHub Actions): a token file and a role ARN, exchanged with STS
// AssumeRoleWithWebIdentity (unsigned). Each setting comes from the environment
// (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME) unless serve --profile was given,
// else from the profile (web_identity_token_file, role_arn, role_session_name), as botocore does. The
// token file is read on every fetch (it rotates).
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_WEB_IDENTITY_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_WEB_IDENTITY_PROVIDER_H_

#include <string>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class WebIdentityProvider : public CredentialProvider {
 public:
  // `use_environment`: false for a source profile of an assume-role chain, whose settings come from
  // the files only.
  WebIdentityProvider(CredentialContext context, std::string profile, bool use_environment)
      : context_(std::move(context)), profile_(std::move(profile)), use_environment_(use_environment) {}
  std::string name() const override { return "assume-role-with-web-identity"; }
  Result<AwsCredentials> Load() override;

 private:
  std::string Setting(const char* env_name, const char* profile_key) const;

  const CredentialContext context_;
  const std::string profile_;
  const bool use_environment_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_WEB_IDENTITY_PROVIDER_H_
