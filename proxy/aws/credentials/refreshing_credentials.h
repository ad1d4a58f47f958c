// Keeps temporary credentials fresh: a background thread reloads them through the provider that found
// them, `window_s` (default 5 min, as the SDKs' advisory refresh) before they expire. Current() never
// waits for that refresh; it loads synchronously only when the credentials have actually expired. A failed
// refresh keeps the old credentials (they still work until they expire), logs a warning and is retried.
// Long-lived credentials are simply kept.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_REFRESHING_CREDENTIALS_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_REFRESHING_CREDENTIALS_H_

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/credentials/credential_chain.h"
#include "store/port/mutex.h"
#include "store/port/thread_annotations.h"

namespace ssm {

struct RefreshOptions {
  std::time_t window_s = 300;                // refresh this long before expiry
  std::time_t retry_after_failure_s = 30;    // at most this long between attempts after a failure
  std::function<std::time_t()> clock;        // wall clock (Unix seconds); time(nullptr) when empty
};

// What /__replay/health and the metrics show: never a secret.
struct CredentialStatus {
  std::string provider;       // the chain link that found them ("sso", "assume-role", ...)
  std::string source;         // CredentialProvider's description, safe to log
  std::string key_hint;       // RedactedKeyId
  std::time_t expiration = 0; // 0: long-lived
  uint64_t refreshes = 0;     // successful reloads after the first load
  uint64_t failed_refreshes = 0;
};

class RefreshingCredentials : public CredentialSource {
 public:
  // Loads the first credentials through `chain` (its error when there are none) and, for temporary
  // ones, starts the refresh thread.
  static Result<std::shared_ptr<RefreshingCredentials>> Create(std::unique_ptr<CredentialChain> chain,
                                                               RefreshOptions options);
  ~RefreshingCredentials() override;  // stops and joins the refresh thread
  RefreshingCredentials(const RefreshingCredentials&) = delete;
  RefreshingCredentials& operator=(const RefreshingCredentials&) = delete;

  Result<AwsCredentials> Current() override;
  CredentialStatus status() const;

  // Calls `listener` with the current credentials now, and with every set a reload returns (from the
  // refresh thread, or from a Current() that had to reload) before calls are signed with it, outside
  // any lock here. For the redactor, which must know every secret before it can meet it. One listener;
  // a second replaces it.
  using Listener = std::function<void(const AwsCredentials&)>;
  void SetListener(Listener listener) EXCLUDES(mu_);

 private:
  RefreshingCredentials(std::unique_ptr<CredentialChain> chain, RefreshOptions options);
  std::time_t Now() const;
  Status Reload() EXCLUDES(mu_);  // one provider call at a time (load_mu_)
  void RefreshLoop() EXCLUDES(mu_);
  // True when temporary credentials are within the window of their expiry (and no retry is pending).
  bool RefreshDue() const REQUIRES(mu_);
  void TellListener(const AwsCredentials& credentials) EXCLUDES(mu_);
  void WaitBriefly() REQUIRES(mu_) NO_THREAD_SAFETY_ANALYSIS;  // on wake_, a quarter second at most

  const RefreshOptions options_;
  Mutex load_mu_;  // held across a provider call so that two never overlap
  const std::unique_ptr<CredentialChain> chain_ GUARDED_BY(load_mu_);

  mutable Mutex mu_;
  CondVar wake_{&mu_};
  AwsCredentials current_ GUARDED_BY(mu_);
  std::shared_ptr<const Listener> listener_ GUARDED_BY(mu_);
  CredentialStatus status_ GUARDED_BY(mu_);
  std::time_t next_attempt_ GUARDED_BY(mu_) = 0;  // after a failure: not before this time
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_REFRESHING_CREDENTIALS_H_
