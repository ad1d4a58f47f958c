#include "proxy/aws/credentials/assume_role_provider.h"

#include <algorithm>
#include <memory>

#include "proxy/aws/credentials/container_provider.h"
#include "proxy/aws/credentials/credential_chain.h"
#include "proxy/aws/credentials/environment_provider.h"
#include "proxy/aws/credentials/imds_provider.h"
#include "proxy/aws/credentials/sts_client.h"

namespace ssm {

namespace {

bool Has(const IniSection* profile, const char* key) { return profile != nullptr && profile->count(key) != 0; }

bool HasStaticKeys(const IniSection* profile) {
  return Has(profile, "aws_access_key_id") || Has(profile, "aws_secret_access_key");
}

bool HasAssumeRole(const IniSection* profile) {
  return Has(profile, "role_arn") && !Has(profile, "web_identity_token_file");
}

std::string Path(const std::vector<std::string>& visited, const std::string& next) {
  std::string path;
  for (const std::string& p : visited) path += p + " -> ";
  return path + next;
}

}  // namespace

Result<AwsCredentials> AssumeRoleProvider::Load() {
  if (!HasAssumeRole(context_.files.Profile(profile_))) {
    return Status::NotFound("profile [" + profile_ + "] has no role_arn");
  }
  std::vector<std::string> visited = {profile_};
  return AssumeRoleOf(profile_, &visited);
}

Result<AwsCredentials> AssumeRoleProvider::AssumeRoleOf(const std::string& profile_name,
                                                        std::vector<std::string>* visited) {
  const IniSection* profile = context_.files.Profile(profile_name);
  const std::string where = "profile [" + profile_name + "]";
  const std::string source_profile = ValueOf(profile, "source_profile");
  const std::string credential_source = ValueOf(profile, "credential_source");
  if (Has(profile, "mfa_serial")) {
    return Status::NotSupported(where + " sets mfa_serial: ssm-replay runs unattended and cannot ask for an MFA "
                                "code; use a role without MFA, or credentials from `aws sts get-session-token` "
                                "in the environment");
  }
  if (!source_profile.empty() && !credential_source.empty()) {
    return Status::InvalidArgument(where + " sets both source_profile and credential_source; keep one");
  }
  if (source_profile.empty() && credential_source.empty()) {
    return Status::InvalidArgument(where + " sets role_arn but neither source_profile nor credential_source");
  }
  Result<AwsCredentials> source = credential_source.empty()
                                      ? SourceProfileCredentials(profile_name, source_profile, visited)
                                      : CredentialSourceCredentials(profile_name, credential_source);
  if (!source.ok()) return source;

  AssumeRoleParams params;
  params.role_arn = ValueOf(profile, "role_arn");
  params.role_session_name = ValueOf(profile, "role_session_name");
  params.external_id = ValueOf(profile, "external_id");
  params.duration_seconds = ValueOf(profile, "duration_seconds");
  Result<AwsCredentials> assumed = StsAssumeRole(context_, source.value(), params);
  if (!assumed.ok()) return Status::IOError(where + ": " + assumed.status().message());
  assumed->source = "assume-role (profile " + profile_name + ", role " + params.role_arn + ", from " +
                    source->source + ")";
  return assumed;
}

Result<AwsCredentials> AssumeRoleProvider::SourceProfileCredentials(const std::string& parent,
                                                                    const std::string& source_name,
                                                                    std::vector<std::string>* visited) {
  const IniSection* source = context_.files.Profile(source_name);
  if (source == nullptr) {
    return Status::InvalidArgument("source_profile " + source_name + " of profile [" + parent +
                                   "] exists in neither the config nor the credentials file");
  }
  if (std::find(visited->begin(), visited->end(), source_name) != visited->end() &&
      (source_name != parent || !HasStaticKeys(source))) {
    return Status::InvalidArgument("the source_profile settings form a cycle: " + Path(*visited, source_name));
  }
  visited->push_back(source_name);
  if (HasStaticKeys(source) || !HasAssumeRole(source)) {
    CredentialChain chain(ProfileProviders(context_, source_name, /*use_environment=*/false));
    Result<AwsCredentials> credentials = chain.Load();
    if (!credentials.ok() && credentials.status().IsNotFound()) {
      return Status::InvalidArgument("source_profile " + source_name + " of profile [" + parent +
                                     "] has no credentials: " + credentials.status().message());
    }
    return credentials;
  }
  return AssumeRoleOf(source_name, visited);
}

Result<AwsCredentials> AssumeRoleProvider::CredentialSourceCredentials(const std::string& parent,
                                                                       const std::string& source) {
  std::unique_ptr<CredentialProvider> provider;
  if (source == "Environment") provider = std::make_unique<EnvironmentProvider>(context_);
  if (source == "Ec2InstanceMetadata") provider = std::make_unique<ImdsProvider>(context_);
  if (source == "EcsContainer") provider = std::make_unique<ContainerProvider>(context_);
  if (provider == nullptr) {
    return Status::InvalidArgument("credential_source " + source + " of profile [" + parent +
                                   "] is not Environment, Ec2InstanceMetadata or EcsContainer");
  }
  Result<AwsCredentials> credentials = provider->Load();
  if (!credentials.ok() && credentials.status().IsNotFound()) {
    return Status::InvalidArgument("credential_source " + source + " of profile [" + parent +
                                   "] found no credentials: " + credentials.status().message());
  }
  return credentials;
}

}  // namespace ssm
