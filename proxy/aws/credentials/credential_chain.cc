#include "proxy/aws/credentials/credential_chain.h"

#include "proxy/aws/credentials/assume_role_provider.h"
#include "proxy/aws/credentials/container_provider.h"
#include "proxy/aws/credentials/environment_provider.h"
#include "proxy/aws/credentials/imds_provider.h"
#include "proxy/aws/credentials/process_provider.h"
#include "proxy/aws/credentials/profile_keys_provider.h"
#include "proxy/aws/credentials/sso_provider.h"
#include "proxy/aws/credentials/web_identity_provider.h"

namespace ssm {

namespace {

// `status` with `prefix` before its message, same code.
Status Prefixed(const Status& status, const std::string& prefix) {
  const std::string message = prefix + status.message();
  switch (status.code()) {
    case Status::Code::kNotFound: return Status::NotFound(message);
    case Status::Code::kCorruption: return Status::Corruption(message);
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(message);
    case Status::Code::kNotSupported: return Status::NotSupported(message);
    default: return Status::IOError(message);
  }
}

}  // namespace

ProviderList ProfileProviders(const CredentialContext& context, const std::string& profile, bool use_environment) {
  ProviderList providers;
  providers.push_back(std::make_unique<WebIdentityProvider>(context, profile, use_environment));
  providers.push_back(std::make_unique<SsoProvider>(context, profile));
  providers.push_back(
      std::make_unique<ProfileKeysProvider>(context, profile, ProfileKeysProvider::File::kCredentials));
  providers.push_back(std::make_unique<ProcessProvider>(context, profile));
  providers.push_back(std::make_unique<ProfileKeysProvider>(context, profile, ProfileKeysProvider::File::kConfig));
  return providers;
}

ProviderList DefaultProviders(const CredentialContext& context) {
  ProviderList providers;
  if (!context.profile_from_flag) providers.push_back(std::make_unique<EnvironmentProvider>(context));
  providers.push_back(std::make_unique<AssumeRoleProvider>(context, context.profile));
  for (auto& provider : ProfileProviders(context, context.profile, !context.profile_from_flag)) {
    providers.push_back(std::move(provider));
  }
  providers.push_back(std::make_unique<ContainerProvider>(context));
  providers.push_back(std::make_unique<ImdsProvider>(context));
  return providers;
}

Result<CredentialContext> MakeCredentialContext(const EnvLookup& env, const std::string& profile_flag,
                                                const std::string& region) {
  CredentialContext context;
  context.env = env;
  context.region = region;
  context.profile_from_flag = !profile_flag.empty();
  context.profile = profile_flag.empty() ? context.Env("AWS_PROFILE") : profile_flag;
  if (context.profile.empty()) context.profile = "default";
  Result<ProfileFiles> files = LoadProfileFiles(env);
  if (!files.ok()) return files.status();
  context.files = std::move(files).value();
  return context;
}

Result<AwsCredentials> CredentialChain::Load() {
  std::string skipped;
  for (const auto& provider : providers_) {
    Result<AwsCredentials> credentials = provider->Load();
    if (credentials.ok()) {
      winner_ = provider.get();
      return credentials;
    }
    const Status& status = credentials.status();
    if (!status.IsNotFound()) {
      return Prefixed(status, provider->name() + ": ");
    }
    skipped += "\n  - " + provider->name() + ": " + status.message();
  }
  return Status::NotFound("no AWS credentials found; tried, in order:" + skipped);
}

}  // namespace ssm
