#include "proxy/aws/credentials/sts_client.h"

#include "proxy/aws/credentials/http_fetch.h"
#include "proxy/aws/sigv4_signer.h"

namespace ssm {

namespace {

const char kFormType[] = "application/x-www-form-urlencoded; charset=utf-8";

std::string DecodeEntities(const std::string& text) {
  static const std::pair<const char*, char> kEntities[] = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool decoded = false;
    if (text[i] == '&') {
      for (const auto& [entity, c] : kEntities) {
        if (text.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
          out += c;
          i += std::char_traits<char>::length(entity);
          decoded = true;
          break;
        }
      }
    }
    if (!decoded) out += text[i++];
  }
  return out;
}

std::string SigningRegion(const CredentialContext& context) {
  return context.region.empty() ? "us-east-1" : context.region;
}

std::string SessionName(const CredentialContext& context, const std::string& configured) {
  return configured.empty() ? "botocore-session-" + std::to_string(context.Now()) : configured;
}

}  // namespace

std::string StsEndpoint(const CredentialContext& context) {
  std::string url = context.Env("AWS_ENDPOINT_URL_STS");
  if (!url.empty()) return url;
  if (context.region.empty()) return "https://sts.amazonaws.com";
  return "https://sts." + context.region + ".amazonaws.com";
}

std::string XmlElementText(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">";
  const std::string close = "</" + tag + ">";
  const size_t begin = xml.find(open);
  if (begin == std::string::npos) return "";
  const size_t start = begin + open.size();
  const size_t end = xml.find(close, start);
  if (end == std::string::npos) return "";
  return DecodeEntities(xml.substr(start, end - start));
}

Result<AwsCredentials> ParseStsAnswer(int http_status, const std::string& xml, const std::string& action) {
  if (http_status != 200) {
    const std::string code = XmlElementText(xml, "Code");
    const std::string message = XmlElementText(xml, "Message");
    return Status::IOError("STS " + action + " answered HTTP " + std::to_string(http_status) +
                           (code.empty() ? std::string() : " " + code) +
                           (message.empty() ? std::string() : ": " + message));
  }
  const std::string block = XmlElementText(xml, "Credentials");
  AwsCredentials credentials;
  credentials.access_key_id = XmlElementText(block, "AccessKeyId");
  credentials.secret_access_key = XmlElementText(block, "SecretAccessKey");
  credentials.session_token = XmlElementText(block, "SessionToken");
  const std::string expiration = XmlElementText(block, "Expiration");
  credentials.expiration = expiration.empty() ? 0 : ParseIso8601(expiration);
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
      credentials.session_token.empty() || credentials.expiration <= 0) {
    return Status::Corruption("STS " + action +
                              " answered 200 without AccessKeyId, SecretAccessKey, SessionToken and Expiration");
  }
  return credentials;
}

Result<AwsCredentials> StsAssumeRole(const CredentialContext& context, const AwsCredentials& source,
                                     const AssumeRoleParams& params) {
  std::string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + FormEncode(params.role_arn) +
                     "&RoleSessionName=" + FormEncode(SessionName(context, params.role_session_name));
  if (!params.external_id.empty()) body += "&ExternalId=" + FormEncode(params.external_id);
  if (!params.duration_seconds.empty()) body += "&DurationSeconds=" + FormEncode(params.duration_seconds);

  HttpCall call;
  call.method = "POST";
  call.url = StsEndpoint(context);
  call.content_type = kFormType;
  call.timeout_s = context.http_timeout_s;
  Result<SplitUrl> url = SplitHttpUrl(call.url);
  if (!url.ok()) return Status::InvalidArgument("STS endpoint (AWS_ENDPOINT_URL_STS): " + url.status().message());

  SigningRequest signing;
  signing.method = "POST";
  signing.path = url->target;
  signing.host = url->origin.substr(url->origin.find("://") + 3);
  signing.headers = {{"Content-Type", kFormType}};
  signing.body = body;
  Status signed_ok = SignRequest(signing, source, SigningRegion(context), "sts", context.Now());
  if (!signed_ok.ok()) return Status::InvalidArgument("could not sign STS AssumeRole: " + signed_ok.message());
  for (const auto& [name, value] : signing.headers) {
    if (name != "Content-Type") call.headers.emplace_back(name, value);
  }
  call.body = std::move(body);
  Result<HttpAnswer> answer = Fetch(call);
  if (!answer.ok()) return Status::IOError("STS AssumeRole: " + answer.status().message());
  return ParseStsAnswer(answer->status, answer->body, "AssumeRole for " + params.role_arn);
}

Result<AwsCredentials> StsAssumeRoleWithWebIdentity(const CredentialContext& context, const std::string& role_arn,
                                                    const std::string& role_session_name,
                                                    const std::string& web_identity_token) {
  HttpCall call;
  call.method = "POST";
  call.url = StsEndpoint(context);
  call.content_type = kFormType;
  call.timeout_s = context.http_timeout_s;
  call.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + FormEncode(role_arn) +
              "&RoleSessionName=" + FormEncode(SessionName(context, role_session_name)) +
              "&WebIdentityToken=" + FormEncode(web_identity_token);
  Result<HttpAnswer> answer = Fetch(call);
  if (!answer.ok()) return Status::IOError("STS AssumeRoleWithWebIdentity: " + answer.status().message());
  return ParseStsAnswer(answer->status, answer->body, "AssumeRoleWithWebIdentity for " + role_arn);
}

}  // namespace ssm
