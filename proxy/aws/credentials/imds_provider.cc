#include "proxy/aws/credentials/imds_provider.h"

#include <cstdlib>

#include "proxy/aws/credentials/container_provider.h"
#include "proxy/aws/credentials/http_fetch.h"

namespace ssm {

namespace {

const char kCredentialsPath[] = "/latest/meta-data/iam/security-credentials/";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<AwsCredentials> ImdsProvider::Load() {
  if (Lower(context_.Env("AWS_EC2_METADATA_DISABLED")) == "true") {
    return Status::NotFound("AWS_EC2_METADATA_DISABLED is true");
  }
  std::string endpoint = context_.Env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  if (endpoint.empty()) {
    const bool ipv6 = Lower(context_.Env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) == "ipv6";
    endpoint = ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
  }
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  HttpCall call;
  call.timeout_s = context_.imds_timeout_s;
  const std::string timeout = context_.Env("AWS_METADATA_SERVICE_TIMEOUT");  // seconds, as botocore reads it
  if (!timeout.empty() && std::atof(timeout.c_str()) > 0) call.timeout_s = std::atof(timeout.c_str());
  call.method = "PUT";
  call.url = endpoint + "/latest/api/token";
  call.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  Result<HttpAnswer> token = Fetch(call);
  if (!token.ok()) return Status::NotFound("instance metadata " + endpoint + " unreachable (" + token.status().message() + ")");
  if (token->status != 200 || token->body.empty()) {
    return Status::NotFound("instance metadata " + endpoint + " refused an IMDSv2 token (HTTP " +
                            std::to_string(token->status) + ")");
  }

  call.method = "GET";
  call.headers = {{"X-aws-ec2-metadata-token", token->body}};
  call.url = endpoint + kCredentialsPath;
  Result<HttpAnswer> role = Fetch(call);
  if (!role.ok()) return Status::IOError("instance metadata: " + role.status().message());
  std::string role_name = role->body.substr(0, role->body.find('\n'));
  if (role->status == 404 || role_name.empty()) {
    return Status::NotFound("instance metadata " + endpoint + " has no IAM role (no instance profile attached)");
  }
  if (role->status != 200) {
    return Status::IOError("instance metadata answered HTTP " + std::to_string(role->status) + " for the role name");
  }

  call.url = endpoint + kCredentialsPath + role_name;
  Result<HttpAnswer> answer = Fetch(call);
  if (!answer.ok()) return Status::IOError("instance metadata: " + answer.status().message());
  if (answer->status != 200) {
    return Status::IOError("instance metadata answered HTTP " + std::to_string(answer->status) +
                           " for the credentials of role " + role_name);
  }
  Result<AwsCredentials> credentials =
      ParseRoleCredentialsJson(answer->body, "instance metadata (role " + role_name + ")");
  if (!credentials.ok()) return credentials;
  credentials->source = "EC2 instance metadata (role " + role_name + ")";
  return credentials;
}

}  // namespace ssm
