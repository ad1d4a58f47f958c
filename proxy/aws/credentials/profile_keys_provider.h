// Static keys of the profile in one of the two files: botocore's SharedCredentialProvider (the credentials
// file) and ConfigProvider (the config file) are this class over either file.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_KEYS_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_KEYS_PROVIDER_H_

#include <string>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

// Reads aws_access_key_id, aws_secret_access_key and aws_session_token of `profile`.
Result<AwsCredentials> StaticProfileKeys(const IniSection* profile, const std::string& profile_name,
                                         const std::string& where);

class ProfileKeysProvider : public CredentialProvider {
 public:
  enum class File { kCredentials, kConfig };
  ProfileKeysProvider(CredentialContext context, std::string profile, File file)
      : context_(std::move(context)), profile_(std::move(profile)), file_(file) {}

  std::string name() const override;
  // NotFound when the file lacks the profile or the profile has no aws_access_key_id; InvalidArgument
  // when it has the key id but not the secret.
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
  const std::string profile_;
  const File file_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_KEYS_PROVIDER_H_
