// KnownSecrets: the exact strings the redactor removes (the operator's key id, secret and session
// token), shared between the Redactor and whatever learns new ones: temporary credentials are
// refreshed while recording, and the new secrets must be redacted from then on. The credentials of the
// last kRememberedSets sets are kept, since a call signed just before a refresh may still be answered
// after it; older ones have expired.
//
// Thread-safe. Readers take a snapshot (a shared pointer to an immutable list), so redaction never
// holds the lock while it scans.
#ifndef SSM_REPLAY_PROXY_RECORD_KNOWN_SECRETS_H_
#define SSM_REPLAY_PROXY_RECORD_KNOWN_SECRETS_H_

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

class KnownSecrets {
 public:
  static constexpr size_t kRememberedSets = 8;

  KnownSecrets() = default;
  KnownSecrets(const KnownSecrets&) = delete;
  KnownSecrets& operator=(const KnownSecrets&) = delete;

  // Adds one set of secrets (empty strings are ignored; the newest set again changes nothing); forgets
  // the oldest set beyond kRememberedSets.
  void Learn(std::vector<std::string> set);

  // Every remembered secret, once each, longest first (so a secret containing another goes whole).
  std::shared_ptr<const std::vector<std::string>> Snapshot() const;

 private:
  mutable Mutex mu_;
  std::deque<std::vector<std::string>> sets_ GUARDED_BY(mu_);  // oldest first
  std::shared_ptr<const std::vector<std::string>> snapshot_ GUARDED_BY(mu_) =
      std::make_shared<const std::vector<std::string>>();
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_RECORD_KNOWN_SECRETS_H_
