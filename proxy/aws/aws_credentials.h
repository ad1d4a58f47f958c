// AwsCredentials, where the upstream gets them (CredentialSource), and the environment they are read
// from. The secrets live only in memory: nothing logs them, and no error message repeats a key, a secret,
// a token or a line of a credentials file.
#ifndef SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_
#define SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "store/status.h"

namespace ssm {

// Long-lived or temporary credentials. A plain value: copy it freely, but never log or store its fields.
struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-lived keys
  // Where they came from, safe to log: "environment", "shared credentials file /p (profile dev)".
  std::string source;
  // When temporary credentials stop working (Unix seconds, UTC); 0 for credentials that do not expire.
  std::time_t expiration = 0;
};

// Where the upstream gets the credentials for each call: fixed ones, or ones kept fresh in the
// background (proxy/aws/credentials/refreshing_credentials.h). Thread-safe.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The credentials to sign with now; an error only when there are none that still work.
  virtual Result<AwsCredentials> Current() = 0;
};

// Always the same credentials.
std::shared_ptr<CredentialSource> FixedCredentials(AwsCredentials credentials);

// The first 4 characters of the access key id followed by "****": enough to tell keys apart in a log
// ("AKIA****" vs "ASIA****") without revealing one.
std::string RedactedKeyId(const AwsCredentials& credentials);

// Looks up an environment variable; nullopt when unset. Injected so tests need not touch the process
// environment. Must be callable from the calling thread for the duration of the call using it.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The real process environment (getenv). Do not call setenv concurrently with it.
EnvLookup ProcessEnvironment();

// The credential chain that finds them is proxy/aws/credentials/credential_chain.h.

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_AWS_CREDENTIALS_H_
