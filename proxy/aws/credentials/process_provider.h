// credential_process of the profile: runs the command (split like a POSIX shell's words, no shell), reads
// its JSON ({"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}) from stdout.
// A failing command is reported with its exit status and stderr (what the tool printed to explain).
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROCESS_PROVIDER_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROCESS_PROVIDER_H_

#include <string>
#include <vector>

#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {

class ProcessProvider : public CredentialProvider {
 public:
  ProcessProvider(CredentialContext context, std::string profile)
      : context_(std::move(context)), profile_(std::move(profile)) {}
  std::string name() const override { return "credential-process"; }
  Result<AwsCredentials> Load() override;

 private:
  const CredentialContext context_;
  const std::string profile_;
};

// Splits a command line into words as shlex.split does: whitespace separates, '...' and "..." quote,
// backslash escapes. InvalidArgument on an unterminated quote.
Result<std::vector<std::string>> SplitCommandLine(const std::string& command);

// Reads credential_process output. `what` names the command's profile in messages.
Result<AwsCredentials> ParseProcessOutput(const std::string& output, const std::string& what);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROCESS_PROVIDER_H_
