// Redactor: removes secrets from an interaction before anything is written to the store.
//
// By default it replaces AWS access key ids (AKIA.../ASIA... followed by 16 upper-case letters or
// digits), the values of X-Amz-Signature=, X-Amz-Credential= and X-Amz-Security-Token= in URLs (presigned
// S3 URLs in StandardOutputUrl, ...), and the operator's own key id, secret and session token (exact
// strings, KnownSecrets: refreshed credentials are learned while recording) with kRedacted. Extra patterns (`--redact REGEX`, RE2 syntax) catch secrets a command
// printed. RE2 matches in time linear in the input, without recursion, so a pattern cannot stall or
// overflow a request thread's stack on a long command output.
//
// JSON bodies stay valid JSON: only string tokens are rewritten, each one decoded, redacted and
// re-encoded in place, so every byte outside a redacted string is kept exactly as received (member
// order, spacing, number spelling). A body that is not JSON is redacted as bytes.
#ifndef SSM_REPLAY_PROXY_RECORD_REDACTOR_H_
#define SSM_REPLAY_PROXY_RECORD_REDACTOR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/record/known_secrets.h"
#include "store/interaction.h"
#include "store/status.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace ssm {

inline constexpr char kRedacted[] = "[REDACTED]";

struct RedactorOptions {
  // Exact strings to remove wherever they appear: the operator's key id, secret, session token.
  // Empty strings are ignored.
  std::vector<std::string> secrets;
  // RE2 regular expressions (github.com/google/re2/wiki/Syntax); each whole match is replaced.
  std::vector<std::string> patterns;
};

class Redactor {
 public:
  // InvalidArgument naming the pattern and RE2's reason when one of `options.patterns` is not a valid
  // RE2 expression, or matches the empty string.
  static Result<Redactor> Create(const RedactorOptions& options);

  // Redacts plain text (no JSON awareness).
  std::string RedactText(std::string text) const;

  // Redacts a body: inside JSON string values when `body` is JSON, as text otherwise.
  std::string RedactBody(const std::string& body) const;

  // Redacts the request body, response body and header values of `interaction`.
  void RedactInteraction(Interaction* interaction) const;

  // The exact strings removed; Learn() on it adds new ones (refreshed credentials) for every later
  // call. Shared, so whatever learns may outlive the redactor.
  const std::shared_ptr<KnownSecrets>& known_secrets() const { return secrets_; }

 private:
  Redactor() = default;
  // The steps of RedactText and RedactBody, with one snapshot of the secrets for a whole body or call.
  std::string RedactTextWith(const std::vector<std::string>& secrets, std::string text) const;
  std::string RedactBodyWith(const std::vector<std::string>& secrets, const std::string& body) const;

  std::shared_ptr<KnownSecrets> secrets_ = std::make_shared<KnownSecrets>();
  // The user's patterns (the built-in rules are hand-written scanners). Shared and immutable: RE2
  // objects are safe to match from many threads at once.
  std::vector<std::shared_ptr<const re2::RE2>> patterns_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_RECORD_REDACTOR_H_
