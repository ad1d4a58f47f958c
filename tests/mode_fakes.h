// Fakes of the capabilities modes see (Upstream, Recorder, TapePlayer), and request helpers, shared
// by the mode tests.
#ifndef SSM_REPLAY_TESTS_MODE_FAKES_H_
#define SSM_REPLAY_TESTS_MODE_FAKES_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "proxy/record/recorder.h"
#include "proxy/ssm/request_parser.h"
#include "proxy/replay/tape_player.h"
#include "proxy/aws/upstream.h"

namespace ssm {
namespace testing {

inline SsmRequest Request(const std::string& action, const std::string& body, HeaderList extra = {}) {
  HeaderList headers = {{"X-Amz-Target", "AmazonSSM." + action},
                        {"Content-Type", "application/x-amz-json-1.1"},
                        {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIACLIENTKEY0000000/x"}};
  for (auto& h : extra) headers.push_back(h);
  ParsedRequest parsed = ParseSsmRequest("POST", "/", headers, body);
  REQUIRE(parsed.ok());
  return *parsed.request;
}

inline SsmRequest Invocation(const std::string& command_id, const std::string& instance_id) {
  return Request("GetCommandInvocation",
                 "{\"CommandId\":\"" + command_id + "\",\"InstanceId\":\"" + instance_id + "\"}");
}

inline UpstreamResponse Answer(int status, const std::string& body, HeaderList headers = {}) {
  UpstreamResponse r;
  r.status = status;
  r.body = body;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "req-1"},
               {"Date", "Sun, 29 Nov 2026 08:00:00 GMT"}};
  for (auto& h : headers) r.headers.push_back(h);
  r.latency_us = 1234;
  return r;
}

inline UpstreamResponse AwsErrorAnswer(int status, const std::string& type, const std::string& message) {
  return Answer(status, "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}",
                {{"x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/"}});
}

// Answers from a script, one per call (the last repeats), or a transport failure.
class FakeUpstream : public Upstream {
 public:
  const std::string& url() const override { return url_; }
  UpstreamResult Forward(const SsmRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    forwarded.push_back(request.body);
    UpstreamResult r;
    if (failure) {
      r.error = *failure;
      return r;
    }
    REQUIRE(!script.empty());
    size_t i = std::min(calls_++, script.size() - 1);
    r.response = script[i];
    return r;
  }
  size_t calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return forwarded.size();
  }

  std::vector<UpstreamResponse> script;
  std::optional<AwsError> failure;
  std::vector<std::string> forwarded;  // request bodies, in order

 private:
  std::string url_ = "http://upstream.test:5000";
  std::mutex mu_;
  size_t calls_ = 0;
};

// Keeps what it is asked to record; can fail, or hold callers until released.
class FakeRecorder : public Recorder {
 public:
  Status Record(const TapeKey& key, Interaction interaction) override {
    std::unique_lock<std::mutex> lock(mu_);
    entered = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold; });
    if (!fail.ok()) return fail;
    records.emplace_back(key, std::move(interaction));
    return Status::OK();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    hold = false;
    cv_.notify_all();
  }
  void WaitEntered() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered; });
  }

  Status fail;
  bool hold = false;
  bool entered = false;
  std::vector<std::pair<TapeKey, Interaction>> records;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

// Tapes in a map; records Invalidate calls.
class FakeTapePlayer : public TapePlayer {
 public:
  Result<std::shared_ptr<const Tape>> Find(const TapeKey& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++finds;
    auto it = tapes.find(key.encoded());
    if (it == tapes.end()) return Status::NotFound("no tape " + key.Describe());
    return std::shared_ptr<const Tape>(std::make_shared<Tape>(it->second));
  }
  std::vector<TapeKey> Nearest(const TapeKey&, size_t) override { return {}; }
  void Invalidate(const TapeKey& key) override {
    std::lock_guard<std::mutex> lock(mu_);
    invalidated.push_back(key.encoded());
  }
  void InvalidateAll() override {}
  uint64_t tapes_cached() const override { return 0; }
  uint64_t tape_loads() const override { return 0; }

  void Put(const TapeKey& key, std::vector<Interaction> interactions) {
    std::lock_guard<std::mutex> lock(mu_);
    tapes.insert_or_assign(key.encoded(), Tape{key, std::move(interactions)});
  }

  std::map<std::string, Tape> tapes;
  std::vector<std::string> invalidated;
  int finds = 0;

 private:
  std::mutex mu_;
};

}  // namespace testing
}  // namespace ssm

#endif  // SSM_REPLAY_TESTS_MODE_FAKES_H_
