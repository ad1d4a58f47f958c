// RefreshingCredentials (proxy/aws/credentials/refreshing_credentials.h) with a test clock and a fake
// provider: refreshed in the background inside the window, calls never wait for that, failures keep
// the old credentials.
#include "proxy/aws/credentials/refreshing_credentials.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

// Issues key "ASIA<n>" on its n-th load, expiring `lifetime_s` after the test clock's now. Can be told
// to fail, or to hold a load until released.
class FakeProvider : public CredentialProvider {
 public:
  FakeProvider(std::atomic<std::time_t>* clock, std::time_t lifetime_s) : clock_(clock), lifetime_s_(lifetime_s) {}
  std::string name() const override { return "fake"; }
  Result<AwsCredentials> Load() override {
    std::unique_lock<std::mutex> lock(mu_);
    ++started_;
    started_cv_.notify_all();
    release_cv_.wait(lock, [&] { return !hold_; });
    if (fail_) return Status::IOError("fake STS is down");
    AwsCredentials c;
    c.access_key_id = "ASIA" + std::to_string(++loads_);
    c.secret_access_key = "secret";
    c.session_token = "token";
    c.expiration = lifetime_s_ == 0 ? 0 : clock_->load() + lifetime_s_;
    c.source = "fake";
    return c;
  }
  void SetFail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }
  void SetHold(bool hold) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      hold_ = hold;
    }
    release_cv_.notify_all();
  }
  bool WaitStarted(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return started_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return started_ >= n; });
  }

 private:
  std::atomic<std::time_t>* clock_;
  const std::time_t lifetime_s_;
  std::mutex mu_;
  std::condition_variable started_cv_, release_cv_;
  int started_ = 0;
  int loads_ = 0;
  bool fail_ = false;
  bool hold_ = false;
};

struct Fixture {
  explicit Fixture(std::time_t lifetime_s) {
    auto owned = std::make_unique<FakeProvider>(&clock, lifetime_s);
    provider = owned.get();
    ProviderList list;
    list.push_back(std::move(owned));
    RefreshOptions options;
    options.window_s = 300;
    options.retry_after_failure_s = 30;
    options.clock = [this] { return clock.load(); };
    auto created = RefreshingCredentials::Create(std::make_unique<CredentialChain>(std::move(list)), options);
    REQUIRE(created.ok());
    credentials = created.value();
  }
  // Waits (bounded) until `predicate` holds on the status.
  template <class Predicate>
  bool WaitFor(Predicate predicate) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (predicate(credentials->status())) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::atomic<std::time_t> clock{1000000};
  FakeProvider* provider = nullptr;
  std::shared_ptr<RefreshingCredentials> credentials;
};

TEST_CASE("long-lived credentials are kept as they are", "[credentials][refresh]") {
  Fixture f(0);
  f.clock += 100000;
  CHECK(f.credentials->Current()->access_key_id == "ASIA1");
  CHECK(f.credentials->status().refreshes == 0);
  CHECK(f.credentials->status().provider == "fake");
}

TEST_CASE("temporary credentials refresh in the background inside the window; calls do not wait",
          "[credentials][refresh]") {
  Fixture f(600);
  CHECK(f.credentials->Current()->access_key_id == "ASIA1");
  f.clock += 200;  // 400 s left: outside the 300 s window
  CHECK(f.credentials->Current()->access_key_id == "ASIA1");
  CHECK(f.credentials->status().refreshes == 0);

  f.provider->SetHold(true);
  f.clock += 101;  // 299 s left: due
  REQUIRE(f.provider->WaitStarted(2));
  // The refresh is in progress and held until released below: a call that waited for it would never
  // return, so answering with the old credentials here proves calls do not wait.
  CHECK(f.credentials->Current()->access_key_id == "ASIA1");
  f.provider->SetHold(false);
  REQUIRE(f.WaitFor([](const CredentialStatus& s) { return s.refreshes == 1; }));
  CHECK(f.credentials->Current()->access_key_id == "ASIA2");
  CHECK(f.credentials->status().expiration == f.clock.load() + 600);
  CHECK(f.credentials->status().key_hint == "ASIA****");

  f.clock += 301;  // due again
  REQUIRE(f.WaitFor([](const CredentialStatus& s) { return s.refreshes == 2; }));
  CHECK(f.credentials->Current()->access_key_id == "ASIA3");
}

TEST_CASE("a failed refresh keeps the old credentials until they expire, then calls fail with why",
          "[credentials][refresh]") {
  Fixture f(600);
  f.provider->SetFail(true);
  f.clock += 301;
  REQUIRE(f.WaitFor([](const CredentialStatus& s) { return s.failed_refreshes >= 1; }));
  CHECK(f.credentials->Current()->access_key_id == "ASIA1");

  f.clock += 300;  // expired
  Result<AwsCredentials> expired = f.credentials->Current();
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().message().find("expired") != std::string::npos);
  CHECK(expired.status().message().find("fake STS is down") != std::string::npos);

  f.provider->SetFail(false);  // an expired call loads synchronously once the source works again
  Result<AwsCredentials> back = f.credentials->Current();
  REQUIRE(back.ok());
  CHECK(back->access_key_id == "ASIA2");
}

TEST_CASE("the listener hears every set of credentials before a call can be signed with it",
          "[credentials][refresh]") {
  Fixture f(600);
  std::mutex mu;
  std::vector<std::string> heard;
  f.credentials->SetListener([&](const AwsCredentials& c) {
    std::lock_guard<std::mutex> lock(mu);
    heard.push_back(c.access_key_id);
  });
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(heard == std::vector<std::string>{"ASIA1"});  // the current ones, at once
  }
  f.clock += 301;
  REQUIRE(f.WaitFor([](const CredentialStatus& s) { return s.refreshes == 1; }));
  REQUIRE(f.credentials->Current()->access_key_id == "ASIA2");
  std::lock_guard<std::mutex> lock(mu);
  REQUIRE_FALSE(heard.empty());
  CHECK(heard.back() == "ASIA2");
}

}  // namespace
}  // namespace ssm
