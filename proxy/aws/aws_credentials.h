// AwsCredentials and the chain that finds them: the environment, else the shared credentials file.
// Mirrors the first two links of the AWS CLI's chain (no SSO, no instance metadata, no ~/.aws/config), so
// an operator's usual set-up works unchanged. The secrets live only in memory: nothing here logs them,
// and no error message repeats a key, a secret, a token or a line of the credentials file.
#ifndef SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_
#define SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_

#include <functional>
#include <optional>
#include <string>

#include "store/status.h"

namespace ssm {

// Long-lived or temporary credentials. A plain value: copy it freely, but never log or store its fields.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-lived keys
  // Where they came from, safe to log: "environment" or "shared credentials file /p (profile dev)".
  std::string source;
};

// The first 4 characters of the access key id followed by "****": enough to tell keys apart in a log
// ("AKIA****" vs "ASIA****") without revealing one.
std::string RedactedKeyId(const AwsCredentials& credentials);

// Looks up an environment variable; nullopt when unset. Injected so tests need not touch the process
// environment. Must be callable from the calling thread for the duration of the call using it.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The real process environment (getenv). Do not call setenv concurrently with it.
EnvLookup ProcessEnvironment();

// The chain:
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), when both are non-empty. Only one of
//      the two set is an error (InvalidArgument) rather than a silent fall-through to the file.
//   2. The shared credentials file AWS_SHARED_CREDENTIALS_FILE (a leading "~/" means $HOME), else
//      $HOME/.aws/credentials; section [AWS_PROFILE], else [default]; keys aws_access_key_id,
//      aws_secret_access_key, aws_session_token.
// None found: NotFound whose message names the variables, the file path and the profile it tried.
// A file that exists but cannot be parsed or read, or a profile lacking its secret: an error naming the
// file (and line), never the offending content.
Result<AwsCredentials> ResolveCredentials(const EnvLookup& env);

// Reads one profile from a credentials file's text (INI: [section], key = value or key: value, full-line
// '#'/';' comments, blank lines, surrounding whitespace, CRLF, keys case-insensitive, a repeated section
// merges with later keys winning). `path` is only used in messages. NotFound if the profile is absent.
Result<AwsCredentials> ParseCredentialsFile(const std::string& text, const std::string& profile,
                                            const std::string& path);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_
