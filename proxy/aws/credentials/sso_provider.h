// IAM Identity Center (SSO): a profile with sso_account_id/sso_role_name and either sso_session (its
// "[sso-session NAME]" gives sso_start_url and sso_region) or the legacy sso_start_url/sso_region. The
// access token is the one `aws sso login` cached in ~/.aws/sso/cache/<sha1>.json (sha1 of the session
// name, or of the start URL in the legacy form, as botocore names it); it is exchanged with the SSO
// portal's GetRoleCredentials (AWS_ENDPOINT_URL_SSO, else https://portal.sso.<sso_region>.amazonaws.com).
// A missing or expired token says to run `aws sso login`; this provider never refreshes the token itself.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_SSO_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_SSO_PROVIDER_H_

#include <string>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class SsoProvider : public CredentialProvider {
 public:
  SsoProvider(CredentialContext context, std::string profile)
      : context_(std::move(context)), profile_(std::move(profile)) {}
  std::string name() const override { return "sso"; }
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
  const std::string profile_;
};

// Lower-case hex SHA-1 of `text`: the token cache's file name.
std::string Sha1Hex(const std::string& text);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_SSO_PROVIDER_H_
