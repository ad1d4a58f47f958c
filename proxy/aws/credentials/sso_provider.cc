#include "proxy/aws/credentials/sso_provider.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/sha.h>

#include "proxy/aws/credentials/http_fetch.h"

namespace ssm {

namespace {

// The profile's SSO settings, sso-session resolved.
struct SsoSettings {
  std::string start_url, region, account_id, role_name;
  std::string session_name;  // empty in the legacy form
  std::string login_hint;    // the command that renews the token
};

Result<SsoSettings> ResolveSettings(const CredentialContext& context, const std::string& profile_name) {
  const IniSection* profile = context.files.Profile(profile_name);
  SsoSettings s;
  s.account_id = ValueOf(profile, "sso_account_id");
  s.role_name = ValueOf(profile, "sso_role_name");
  if (profile == nullptr || (profile->count("sso_account_id") == 0 && profile->count("sso_role_name") == 0)) {
    return Status::NotFound("profile [" + profile_name + "] has no sso_account_id or sso_role_name");
  }
  IniSection merged = *profile;
  s.session_name = ValueOf(profile, "sso_session");
  if (!s.session_name.empty()) {
    auto session = context.files.sso_sessions.find(s.session_name);
    if (session == context.files.sso_sessions.end()) {
      return Status::InvalidArgument("profile [" + profile_name + "] names sso_session " + s.session_name +
                                     " but the config file has no [sso-session " + s.session_name + "]");
    }
    for (const auto& [key, value] : session->second) {
      if (merged.count(key) != 0 && merged[key] != value) {
        return Status::InvalidArgument("the value of " + key + " differs between profile [" + profile_name +
                                       "] and [sso-session " + s.session_name + "]");
      }
      merged[key] = value;
    }
  }
  s.start_url = ValueOf(&merged, "sso_start_url");
  s.region = ValueOf(&merged, "sso_region");
  std::string missing;
  for (const char* key : {"sso_start_url", "sso_region", "sso_role_name", "sso_account_id"}) {
    if (ValueOf(&merged, key).empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
  }
  if (!missing.empty()) {
    return Status::InvalidArgument("profile [" + profile_name + "] is configured for SSO but lacks " + missing);
  }
  s.login_hint = s.session_name.empty() ? "aws sso login --profile " + profile_name
                                        : "aws sso login --sso-session " + s.session_name;
  return s;
}

// The cached access token; an error saying to log in when there is none that is still valid.
Result<std::string> CachedToken(const CredentialContext& context, const SsoSettings& s) {
  const std::string key = s.session_name.empty() ? s.start_url : s.session_name;
  const std::string path = context.files.home + "/.aws/sso/cache/" + Sha1Hex(key) + ".json";
  const std::string login = "; run `" + s.login_hint + "` to sign in again";
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no cached SSO token at " + path + login);
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  auto field = [&](const char* name) {
    auto it = json.is_object() ? json.find(name) : json.end();
    return json.is_object() && it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string token = field("accessToken");
  const std::time_t expires = ParseIso8601(field("expiresAt"));
  if (token.empty() || expires <= 0) return Status::Corruption("the cached SSO token " + path + " is unreadable" + login);
  if (expires <= context.Now()) {
    return Status::InvalidArgument("the SSO token cached in " + path + " expired at " + FormatIso8601(expires) + login);
  }
  return token;
}

}  // namespace

std::string Sha1Hex(const std::string& text) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  std::string hex;
  char byte[3];
  for (unsigned char b : digest) {
    std::snprintf(byte, sizeof(byte), "%02x", b);
    hex += byte;
  }
  return hex;
}

Result<AwsCredentials> SsoProvider::Load() {
  Result<SsoSettings> settings = ResolveSettings(context_, profile_);
  if (!settings.ok()) return settings.status();
  Result<std::string> token = CachedToken(context_, settings.value());
  if (!token.ok()) {
    if (token.status().IsNotFound()) return Status::InvalidArgument(token.status().message());
    return token.status();
  }
  std::string endpoint = context_.Env("AWS_ENDPOINT_URL_SSO");
  if (endpoint.empty()) endpoint = "https://portal.sso." + settings->region + ".amazonaws.com";
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  HttpCall call;
  call.url = endpoint + "/federation/credentials?account_id=" + FormEncode(settings->account_id) +
             "&role_name=" + FormEncode(settings->role_name);
  call.headers = {{"x-amz-sso_bearer_token", token.value()}};
  call.timeout_s = context_.http_timeout_s;
  Result<HttpAnswer> answer = Fetch(call);
  if (!answer.ok()) return Status::IOError("SSO GetRoleCredentials: " + answer.status().message());
  if (answer->status == 401 || answer->status == 403) {
    return Status::InvalidArgument("the SSO portal refused the cached token (HTTP " + std::to_string(answer->status) +
                                   "): the SSO session expired or was revoked; run `" + settings->login_hint + "`");
  }
  if (answer->status != 200) {
    return Status::IOError("SSO GetRoleCredentials for role " + settings->role_name + " in account " +
                           settings->account_id + " answered HTTP " + std::to_string(answer->status));
  }
  nlohmann::json json = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* role = json.is_object() && json.contains("roleCredentials") ? &json["roleCredentials"] : nullptr;
  if (role == nullptr || !role->is_object()) return Status::Corruption("SSO GetRoleCredentials answered no roleCredentials");
  AwsCredentials credentials;
  credentials.access_key_id = role->value("accessKeyId", "");
  credentials.secret_access_key = role->value("secretAccessKey", "");
  credentials.session_token = role->value("sessionToken", "");
  const int64_t expiration_ms = role->value("expiration", int64_t{0});
  credentials.expiration = static_cast<std::time_t>(expiration_ms / 1000);
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::Corruption("SSO GetRoleCredentials answered without accessKeyId and secretAccessKey");
  }
  credentials.source = "SSO (profile " + profile_ + ", role " + settings->role_name + ")";
  return credentials;
}

}  // namespace ssm
