#include "proxy/aws/credentials/refreshing_credentials.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace ssm {

RefreshingCredentials::RefreshingCredentials(std::unique_ptr<CredentialChain> chain, RefreshOptions options)
    : options_(std::move(options)), chain_(std::move(chain)) {}

Result<std::shared_ptr<RefreshingCredentials>> RefreshingCredentials::Create(
    std::unique_ptr<CredentialChain> chain, RefreshOptions options) {
  std::shared_ptr<RefreshingCredentials> self(new RefreshingCredentials(std::move(chain), std::move(options)));
  std::string provider;
  Result<AwsCredentials> first = [&] {
    MutexLock load(&self->load_mu_);
    Result<AwsCredentials> loaded = self->chain_->Load();
    if (loaded.ok()) provider = self->chain_->winner()->name();
    return loaded;
  }();
  if (!first.ok()) return first.status();
  {
    MutexLock lock(&self->mu_);
    self->current_ = first.value();
    self->status_.provider = provider;
    self->status_.source = first->source;
    self->status_.key_hint = RedactedKeyId(first.value());
    self->status_.expiration = first->expiration;
  }
  if (first->expiration != 0) self->thread_ = std::thread([raw = self.get()] { raw->RefreshLoop(); });
  return self;
}

RefreshingCredentials::~RefreshingCredentials() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

std::time_t RefreshingCredentials::Now() const {
  return options_.clock ? options_.clock() : std::time(nullptr);
}

CredentialStatus RefreshingCredentials::status() const {
  MutexLock lock(&mu_);
  return status_;
}

void RefreshingCredentials::SetListener(Listener listener) {
  AwsCredentials now;
  {
    MutexLock lock(&mu_);
    listener_ = std::make_shared<const Listener>(std::move(listener));
    now = current_;
  }
  TellListener(now);
}

Result<AwsCredentials> RefreshingCredentials::Current() {
  {
    MutexLock lock(&mu_);
    if (current_.expiration == 0 || Now() < current_.expiration) return current_;
  }
  Status reloaded = Reload();  // expired: this call has to wait
  MutexLock lock(&mu_);
  if (current_.expiration != 0 && Now() >= current_.expiration) {
    return Status::IOError("the AWS credentials from " + status_.provider + " expired at " +
                           FormatIso8601(current_.expiration) + " and could not be refreshed: " +
                           (reloaded.ok() ? "the source still hands out the expired ones" : reloaded.message()));
  }
  return current_;
}

Status RefreshingCredentials::Reload() {
  Result<AwsCredentials> fresh = [&] {
    MutexLock load(&load_mu_);
    {
      MutexLock lock(&mu_);  // another caller may have refreshed while this one waited
      if (current_.expiration == 0 || Now() < current_.expiration - options_.window_s) return Result<AwsCredentials>(current_);
    }
    return chain_->winner()->Load();
  }();
  if (fresh.ok()) TellListener(fresh.value());  // before any call can be signed with them
  MutexLock lock(&mu_);
  if (!fresh.ok()) {
    ++status_.failed_refreshes;
    next_attempt_ = Now() + std::max<std::time_t>(
                                1, std::min(options_.retry_after_failure_s, (current_.expiration - Now()) / 2));
    spdlog::warn("refreshing the AWS credentials from {} failed (the current ones expire at {}): {}",
                 status_.provider, FormatIso8601(current_.expiration), fresh.status().message());
    return fresh.status();
  }
  if (fresh->expiration != current_.expiration || fresh->access_key_id != current_.access_key_id) {
    current_ = fresh.value();
    ++status_.refreshes;
    status_.key_hint = RedactedKeyId(current_);
    status_.expiration = current_.expiration;
    next_attempt_ = 0;
    spdlog::info("AWS credentials from {} refreshed ({}), valid until {}", status_.provider, status_.key_hint,
                 current_.expiration == 0 ? std::string("they are revoked") : FormatIso8601(current_.expiration));
  }
  return Status::OK();
}

void RefreshingCredentials::TellListener(const AwsCredentials& credentials) {
  std::shared_ptr<const Listener> listener;
  {
    MutexLock lock(&mu_);
    listener = listener_;
  }
  if (listener) (*listener)(credentials);
}

bool RefreshingCredentials::RefreshDue() const {
  if (current_.expiration == 0) return false;
  return Now() >= std::max(current_.expiration - options_.window_s, next_attempt_);
}

void RefreshingCredentials::WaitBriefly() {
  // The analysis cannot see that wake_'s mutex is mu_; REQUIRES(mu_) on the declaration checks callers.
  wake_.WaitFor(std::chrono::milliseconds(250));
}

void RefreshingCredentials::RefreshLoop() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      // Re-reads the clock every quarter second rather than sleeping until the due time, so that a test
      // clock or a wall-clock jump is noticed.
      while (!stopping_ && !RefreshDue()) WaitBriefly();
      if (stopping_) return;
    }
    Reload();
  }
}

}  // namespace ssm
