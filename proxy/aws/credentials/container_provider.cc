#include "proxy/aws/credentials/container_provider.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "proxy/aws/credentials/http_fetch.h"

namespace ssm {

namespace {

bool AllowedPlainHttpHost(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" || host == "169.254.170.2" ||
         host == "169.254.170.23" || host == "fd00:ec2::23";
}

// The Authorization header's value; "" for none.
Result<std::string> AuthorizationToken(const CredentialContext& context) {
  const std::string file = context.Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (file.empty()) return context.Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IOError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file);
  std::ostringstream text;
  text << in.rdbuf();
  const std::string token = text.str();
  if (token.find_first_of("\r\n") != std::string::npos) {
    return Status::InvalidArgument("the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + file +
                                   " contains a line break, which no HTTP header may hold (botocore refuses it too)");
  }
  return token;
}

}  // namespace

Result<AwsCredentials> ParseRoleCredentialsJson(const std::string& body, const std::string& what) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Corruption(what + " did not answer a JSON object");
  auto text = [&](const char* key) {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  AwsCredentials credentials;
  credentials.access_key_id = text("AccessKeyId");
  credentials.secret_access_key = text("SecretAccessKey");
  credentials.session_token = text("Token");
  const std::string expiration = text("Expiration");
  credentials.expiration = expiration.empty() ? 0 : ParseIso8601(expiration);
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::Corruption(what + " answered without AccessKeyId and SecretAccessKey");
  }
  if (credentials.expiration < 0) return Status::Corruption(what + " answered an Expiration that is not ISO 8601");
  return credentials;
}

Result<AwsCredentials> ContainerProvider::Load() {
  const std::string relative = context_.Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const std::string full = context_.Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (relative.empty() && full.empty()) {
    return Status::NotFound("neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
  }
  HttpCall call;
  call.url = relative.empty() ? full : context_.container_host + relative;
  call.timeout_s = context_.http_timeout_s;
  if (relative.empty()) {
    Result<SplitUrl> url = SplitHttpUrl(full);
    if (!url.ok()) return Status::InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI: " + url.status().message());
    if (!url->https && !AllowedPlainHttpHost(url->host)) {
      return Status::InvalidArgument("AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on a loopback "
                                     "address or 169.254.170.2/169.254.170.23, not host " + url->host);
    }
  }
  Result<std::string> token = AuthorizationToken(context_);
  if (!token.ok()) return token.status();
  if (!token->empty()) call.headers.emplace_back("Authorization", token.value());
  const std::string what = "the container credentials endpoint";
  Result<HttpAnswer> answer = Fetch(call);
  if (!answer.ok()) return Status::IOError(what + ": " + answer.status().message());
  if (answer->status != 200) {
    return Status::IOError(what + " answered HTTP " + std::to_string(answer->status) +
                           (answer->status == 401 || answer->status == 403
                                ? " (check AWS_CONTAINER_AUTHORIZATION_TOKEN or its _FILE)"
                                : ""));
  }
  Result<AwsCredentials> credentials = ParseRoleCredentialsJson(answer->body, what);
  if (!credentials.ok()) return credentials;
  credentials->source = "container credentials endpoint";
  return credentials;
}

}  // namespace ssm
