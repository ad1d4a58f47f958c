#include "proxy/aws/credentials/profile_keys_provider.h"

namespace ssm {

Result<AwsCredentials> StaticProfileKeys(const IniSection* profile, const std::string& profile_name,
                                         const std::string& where) {
  AwsCredentials credentials;
  credentials.access_key_id = ValueOf(profile, "aws_access_key_id");
  credentials.secret_access_key = ValueOf(profile, "aws_secret_access_key");
  credentials.session_token = ValueOf(profile, "aws_session_token");
  if (credentials.access_key_id.empty()) {
    return Status::NotFound("profile [" + profile_name + "] has no aws_access_key_id in " + where);
  }
  if (credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("profile [" + profile_name + "] in " + where +
                                   " has aws_access_key_id but no aws_secret_access_key");
  }
  credentials.source = where + " (profile " + profile_name + ")";
  return credentials;
}

std::string ProfileKeysProvider::name() const {
  return file_ == File::kCredentials ? "shared-credentials-file" : "config-file";
}

Result<AwsCredentials> ProfileKeysProvider::Load() {
  const ProfileFiles& files = context_.files;
  const bool credentials_file = file_ == File::kCredentials;
  const std::string& path = credentials_file ? files.credentials_path : files.config_path;
  const auto& profiles = credentials_file ? files.credentials_profiles : files.config_profiles;
  const std::string where = (credentials_file ? "shared credentials file " : "config file ") +
                            (path.empty() ? std::string("(HOME not set)") : path);
  auto it = profiles.find(profile_);
  if (it == profiles.end()) return Status::NotFound(where + " has no profile [" + profile_ + "]");
  return StaticProfileKeys(&it->second, profile_, where);
}

}  // namespace ssm
