#include "proxy/aws/credentials/web_identity_provider.h"

#include <fstream>
#include <sstream>

#include "proxy/aws/credentials/sts_client.h"

namespace ssm {

std::string WebIdentityProvider::Setting(const char* env_name, const char* profile_key) const {
  if (use_environment_) {
    std::optional<std::string> value = context_.env ? context_.env(env_name) : std::nullopt;
    if (value) return *value;
  }
  return ValueOf(context_.files.Profile(profile_), profile_key);
}

Result<AwsCredentials> WebIdentityProvider::Load() {
  const std::string token_file = Setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
  if (token_file.empty()) {
    return Status::NotFound(std::string(use_environment_ ? "AWS_WEB_IDENTITY_TOKEN_FILE is not set and " : "") +
                            "profile [" + profile_ + "] has no web_identity_token_file");
  }
  const std::string role_arn = Setting("AWS_ROLE_ARN", "role_arn");
  if (role_arn.empty()) {
    return Status::InvalidArgument("a web identity token file is configured but no role ARN: set AWS_ROLE_ARN "
                                   "or role_arn in profile [" + profile_ + "]");
  }
  std::ifstream in(ExpandHome(token_file, context_.files.home), std::ios::binary);
  if (!in) return Status::IOError("cannot read the web identity token file " + token_file);
  std::ostringstream token;
  token << in.rdbuf();
  Result<AwsCredentials> credentials = StsAssumeRoleWithWebIdentity(
      context_, role_arn, Setting("AWS_ROLE_SESSION_NAME", "role_session_name"), token.str());
  if (!credentials.ok()) return credentials;
  credentials->source = "web identity (role " + role_arn + ")";
  return credentials;
}

}  // namespace ssm
