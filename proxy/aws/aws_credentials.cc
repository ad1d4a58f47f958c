#include "proxy/aws/aws_credentials.h"

#include <cstdlib>
#include <utility>

namespace ssm {

namespace {

class FixedCredentialSource : public CredentialSource {
 public:
  explicit FixedCredentialSource(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  Result<AwsCredentials> Current() override { return credentials_; }

 private:
  const AwsCredentials credentials_;
};

}  // namespace

std::shared_ptr<CredentialSource> FixedCredentials(AwsCredentials credentials) {
  return std::make_shared<FixedCredentialSource>(std::move(credentials));
}

std::string RedactedKeyId(const AwsCredentials& credentials) {
  return credentials.access_key_id.substr(0, 4) + "****";
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

}  // namespace ssm
