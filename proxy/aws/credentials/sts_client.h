// The two STS calls the chain makes: AssumeRole (SigV4-signed with the source credentials) and
// AssumeRoleWithWebIdentity (unsigned), and reading their XML answers. The endpoint follows the standard
// service setting: AWS_ENDPOINT_URL_STS, else the regional https://sts.<region>.amazonaws.com. Not
// AWS_ENDPOINT_URL nor AWS_ENDPOINT_URL_SSM: users point those at ssm-replay itself.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_STS_CLIENT_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_STS_CLIENT_H_

#include <string>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/credentials/credential_provider.h"
#include "store/status.h"

namespace ssm {

struct AssumeRoleParams {
  std::string role_arn;
  std::string role_session_name;  // botocore-session-<unix time> when empty, as botocore names it
  std::string external_id;        // optional
  std::string duration_seconds;   // optional, digits
};

// The STS endpoint for `context`.
std::string StsEndpoint(const CredentialContext& context);

// AssumeRole signed by `source`. Errors quote STS's error code and message (e.g. AccessDenied), never the
// request (it carries the source credentials' signature).
Result<AwsCredentials> StsAssumeRole(const CredentialContext& context, const AwsCredentials& source,
                                     const AssumeRoleParams& params);

// AssumeRoleWithWebIdentity with the token read from a file by the caller (never logged).
Result<AwsCredentials> StsAssumeRoleWithWebIdentity(const CredentialContext& context, const std::string& role_arn,
                                                    const std::string& role_session_name,
                                                    const std::string& web_identity_token);

// The text of the first <tag>...</tag> in `xml`, entities decoded; "" when absent.
std::string XmlElementText(const std::string& xml, const std::string& tag);

// Reads an STS answer: 200 with <Credentials> -> credentials; otherwise an error naming `action`, the HTTP
// status and STS's <Code>/<Message>.
Result<AwsCredentials> ParseStsAnswer(int http_status, const std::string& xml, const std::string& action);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_STS_CLIENT_H_
