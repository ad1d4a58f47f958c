// Fakes shared by the credential provider tests: an injected environment, a temporary HOME, and a fake
// AWS endpoint (STS, SSO, IMDS, container) on 127.0.0.1 that records what it was asked.
#ifndef SSM_REPLAY_TESTS_CREDENTIAL_FAKES_H_
#define SSM_REPLAY_TESTS_CREDENTIAL_FAKES_H_

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "proxy/aws/aws_credentials.h"
#include "proxy/aws/credentials/credential_provider.h"

namespace ssm {
namespace testing {

namespace fs = std::filesystem;

inline EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh directory under the system temp dir, removed at scope exit.
class TempHome {
 public:
  TempHome() {
    std::string pattern = (fs::temp_directory_path() / "ssm-credential-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempHome() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  std::string path() const { return path_.string(); }
  std::string Write(const std::string& relative, const std::string& text) const {
    const fs::path file = path_ / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  fs::path path_;
};

// A request the fake endpoint received.
struct SeenRequest {
  std::string method, path, body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// An HTTP service on 127.0.0.1 (free port). Register handlers before the first request.
class FakeEndpoint {
 public:
  FakeEndpoint() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
  }
  ~FakeEndpoint() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  using Answer = std::function<void(const SeenRequest&, httplib::Response&)>;
  void On(const std::string& method, const std::string& path, Answer answer) {
    auto handler = [this, answer](const httplib::Request& req, httplib::Response& res) {
      SeenRequest seen{req.method, req.path, req.body, req.headers};
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_.push_back(seen);
      }
      answer(seen, res);
    };
    if (method == "GET") server_.Get(path, handler);
    if (method == "PUT") server_.Put(path, handler);
    if (method == "POST") server_.Post(path, handler);
  }
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running()) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<SeenRequest> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

inline std::string StsCredentialsXml(const std::string& action, const std::string& key, const std::string& secret,
                                     const std::string& token, const std::string& expiration) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action +
         "Result><Credentials><AccessKeyId>" + key + "</AccessKeyId><SecretAccessKey>" + secret +
         "</SecretAccessKey><SessionToken>" + token + "</SessionToken><Expiration>" + expiration +
         "</Expiration></Credentials></" + action + "Result></" + action + "Response>";
}

inline bool Mentions(const Status& status, const std::string& text) {
  return status.message().find(text) != std::string::npos;
}

}  // namespace testing
}  // namespace ssm

#endif  // SSM_REPLAY_TESTS_CREDENTIAL_FAKES_H_
