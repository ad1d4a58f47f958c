// One link of the credential chain, and what every link is given. A provider either is not configured
// (NotFound, whose message says why it was skipped: the chain lists these when nothing is found), or is
// configured and then returns credentials or an error saying what failed (which, as in botocore, stops
// the chain: a broken configuration is reported rather than silently passed over).
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_PROVIDER_H_

#include <ctime>
#include <functional>
#include <string>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/credentials/profile_files.h"
#include "store/status.h"

namespace ssm {

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;

  // Short and safe to log: "environment", "assume-role (profile dev)".
  virtual std::string name() const = 0;

  // Fetches credentials afresh (called again to refresh temporary ones). Thread-compatible: the chain
  // and RefreshingCredentials never call one provider from two threads at once.
  virtual Result<AwsCredentials> Load() = 0;
};

// What the providers of one session share. Plain value; copied into each provider.
struct CredentialContext {
  EnvLookup env;
  ProfileFiles files;
  std::string profile = "default";  // serve --profile, else AWS_PROFILE, else "default"
  bool profile_from_flag = false;   // serve --profile: the environment's keys are then not used
  std::string region;               // signing region of STS calls, and the regional STS endpoint's
  std::function<std::time_t()> clock;
  double imds_timeout_s = 1.0;      // each IMDS request; a machine without IMDS must fail fast
  double http_timeout_s = 10.0;     // STS, SSO, the container endpoint
  std::string container_host = "http://169.254.170.2";  // for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI

  std::string Env(const char* name) const;  // "" when unset
  std::time_t Now() const { return clock ? clock() : std::time(nullptr); }
};

// "2026-12-06T18:00:00Z" (also with fractional seconds or a "+00:00" offset) -> Unix seconds; -1 when not
// such a time.
std::time_t ParseIso8601(const std::string& text);

// "2026-12-06T18:00:00Z" for `when`.
std::string FormatIso8601(std::time_t when);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_CREDENTIAL_PROVIDER_H_
