// The default credential chain, in botocore's order (botocore.credentials.create_credential_resolver):
//   environment, assume-role (profile role_arn), web identity, SSO, shared credentials file,
//   credential_process, config file keys, container endpoint, EC2 instance metadata.
// The first provider that is configured wins: its credentials, or its error (a broken configuration is
// reported, not passed over). When none is configured, one message lists each and why it was skipped.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_CHAIN_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_CHAIN_H_

#include <memory>
#include <string>
#include <vector>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

using ProviderList = std::vector<std::unique_ptr<CredentialProvider>>;

// The providers that read one profile: web identity, SSO, shared credentials file, credential_process,
// config file keys. `use_environment` lets web identity read its AWS_* variables (not for source
// profiles, nor after serve --profile).
ProviderList ProfileProviders(const CredentialContext& context, const std::string& profile, bool use_environment);

// The whole chain for context.profile. Without the environment provider after serve --profile, as
// botocore drops it for an explicitly chosen profile.
ProviderList DefaultProviders(const CredentialContext& context);

// The context for `profile_flag` (serve --profile; "" when not given, then AWS_PROFILE, then "default"):
// reads both files. `region` is the already-resolved region (STS's).
Result<CredentialContext> MakeCredentialContext(const EnvLookup& env, const std::string& profile_flag,
                                                const std::string& region);

class CredentialChain {
 public:
  explicit CredentialChain(ProviderList providers) : providers_(std::move(providers)) {}

  // Tries each provider in order; see the file comment. Not thread-safe (RefreshingCredentials
  // serialises its calls).
  Result<AwsCredentials> Load();

  // The provider that answered the last successful Load(); nullptr before one.
  CredentialProvider* winner() const { return winner_; }

 private:
  ProviderList providers_;
  CredentialProvider* winner_ = nullptr;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_CHAIN_H_
