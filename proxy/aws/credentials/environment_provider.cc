#include "proxy/aws/credentials/environment_provider.h"

namespace ssm {

Result<AwsCredentials> EnvironmentProvider::Load() {
  AwsCredentials credentials;
  credentials.access_key_id = context_.Env("AWS_ACCESS_KEY_ID");
  credentials.secret_access_key = context_.Env("AWS_SECRET_ACCESS_KEY");
  if (credentials.access_key_id.empty()) {
    return Status::NotFound(credentials.secret_access_key.empty()
                                ? "AWS_ACCESS_KEY_ID is not set"
                                : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
  }
  if (credentials.secret_access_key.empty()) {
    return Status::InvalidArgument("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or "
                                   "unset both to use another source");
  }
  credentials.session_token = context_.Env("AWS_SESSION_TOKEN");
  if (credentials.session_token.empty()) credentials.session_token = context_.Env("AWS_SECURITY_TOKEN");
  const std::string expiration = context_.Env("AWS_CREDENTIAL_EXPIRATION");
  if (!expiration.empty()) {
    credentials.expiration = ParseIso8601(expiration);
    if (credentials.expiration <= 0) {
      return Status::InvalidArgument("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time such as "
                                     "2026-01-01T00:00:00Z");
    }
  }
  credentials.source = "environment";
  return credentials;
}

}  // namespace ssm
