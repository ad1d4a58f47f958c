// HttpsUpstream against local servers on loopback: a cpp-httplib server for well-formed answers and a
// raw socket server for broken ones.
#include "proxy/aws/https_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdlib.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>
#include <httplib.h>

#include "mode_fakes.h"
#include "proxy/aws/sigv4_signer.h"

namespace ssm {
namespace {

constexpr std::time_t kNow = 1440938160;  // 2015-08-30T12:36:00Z

AwsCredentials Operator(bool with_token) {
  AwsCredentials c;
  c.access_key_id = "AKIDOPERATOR0000EXAM";
  c.secret_access_key = "operator/secret/key+value";
  if (with_token) c.session_token = "operator-session-token";
  c.source = "test";
  return c;
}

// A cpp-httplib server on 127.0.0.1 (any free port) running `handler` on its own thread.
class LocalServer {
 public:
  explicit LocalServer(httplib::Server::Handler handler) {
    server_.Post("/", std::move(handler));
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LocalServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Accepts connections and answers each with fixed raw bytes, then closes it.
class RawServer {
 public:
  explicit RawServer(std::string reply) : reply_(std::move(reply)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    REQUIRE(listen(fd_, 8) == 0);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) close(c);
          return;
        }
        char buf[8192];
        (void)!recv(c, buf, sizeof(buf), 0);  // the request (small enough for one read here)
        (void)!send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~RawServer() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    // Wake accept() with a connection in case shutdown does not.
    int c = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    close(c);
    thread_.join();
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  std::string reply_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::unique_ptr<HttpsUpstream> MakeUpstream(const std::string& url, double timeout_s = 5,
                                            bool with_token = true) {
  HttpsUpstreamOptions o;
  o.url = url;
  o.region = "us-east-1";
  o.timeout_s = timeout_s;
  o.clock = [] { return kNow; };
  auto u = HttpsUpstream::Create(o, Operator(with_token));
  REQUIRE(u.ok());
  return std::move(u).value();
}

SsmRequest ClientRequest(HeaderList extra = {}) {
  HeaderList h = {{"Authorization", "AWS4-HMAC-SHA256 Credential=AKIACLIENT000000000X/20200101/us-east-1/"
                                    "ssm/aws4_request, SignedHeaders=host, Signature=abc"},
                  {"X-Amz-Date", "20200101T000000Z"},
                  {"X-Amz-Security-Token", "client-token"},
                  {"Host", "client-chosen-host.example"},
                  {"Connection", "keep-alive"},
                  {"User-Agent", "aws-cli/1.45"},
                  {"amz-sdk-invocation-id", "abc-123"}};
  for (auto& e : extra) h.push_back(e);
  return testing::Request("GetCommandInvocation",
                          "{\"CommandId\":\"0b5b2f3c-1111-2222-3333-444455556666\",\"InstanceId\":\"i-0123456789abcdef0\"}",
                          h);
}

struct Seen {
  std::mutex mu;
  std::vector<httplib::Request> requests;
};

TEST_CASE("https upstream drops the client's credentials and re-signs with the operator's",
          "[https_upstream]") {
  for (bool with_token : {true, false}) {
    Seen seen;
    LocalServer server([&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(seen.mu);
      seen.requests.push_back(req);
      res.set_header("x-amzn-RequestId", "r-1");
      res.set_content("{\"Status\":\"Success\"}", "application/x-amz-json-1.1");
    });
    auto up = MakeUpstream(server.url(), 5, with_token);
    SsmRequest creq = ClientRequest();
    UpstreamResult r = up->Forward(creq);
    REQUIRE(r.ok());
    CHECK(r.response->status == 200);
    CHECK(r.response->body == "{\"Status\":\"Success\"}");
    CHECK(r.response->latency_us > 0);

    REQUIRE(seen.requests.size() == 1);
    const httplib::Request& got = seen.requests[0];
    CHECK(got.body == creq.body);
    CHECK(got.get_header_value("X-Amz-Target") == "AmazonSSM.GetCommandInvocation");
    CHECK(got.get_header_value("amz-sdk-invocation-id") == "abc-123");
    CHECK(got.get_header_value("Host") == "127.0.0.1:" + std::to_string(server.port()));
    CHECK(got.get_header_value_count("Authorization") == 1);
    CHECK(got.get_header_value_count("X-Amz-Date") == 1);
    CHECK(got.get_header_value("X-Amz-Date") == "20150830T123600Z");
    std::string auth = got.get_header_value("Authorization");
    CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDOPERATOR0000EXAM/20150830/us-east-1/ssm/aws4_request, ",
                     0) == 0);
    CHECK(auth.find("AKIACLIENT") == std::string::npos);
    if (with_token) {
      CHECK(got.get_header_value("X-Amz-Security-Token") == "operator-session-token");
      CHECK(auth.find("x-amz-security-token") != std::string::npos);
    } else {
      CHECK_FALSE(got.has_header("X-Amz-Security-Token"));
    }

    // Recompute the signature over the headers as they arrived, with the operator's secret.
    size_t sh = auth.find("SignedHeaders=");
    size_t comma = auth.find(',', sh);
    std::string signed_list = auth.substr(sh + 14, comma - sh - 14);
    SigningRequest check;
    check.method = "POST";
    check.path = "/";
    check.body = got.body;
    std::set<std::string> names;
    for (size_t p = 0; p <= signed_list.size();) {
      size_t semi = signed_list.find(';', p);
      names.insert(signed_list.substr(p, semi == std::string::npos ? std::string::npos : semi - p));
      if (semi == std::string::npos) break;
      p = semi + 1;
    }
    CHECK(names.count("host") == 1);
    CHECK(names.count("x-amz-date") == 1);
    CHECK(names.count("x-amz-target") == 1);
    for (const auto& [name, value] : got.headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (names.count(lower)) check.headers.emplace_back(name, value);
    }
    auto canonical = CanonicalRequest(check, Sha256Hex(got.body));
    REQUIRE(canonical.ok());
    std::string scope = CredentialScope("20150830T123600Z", "us-east-1", "ssm");
    std::string expected = Signature("operator/secret/key+value", "20150830T123600Z", "us-east-1", "ssm",
                                     StringToSign("20150830T123600Z", scope, canonical.value()));
    CHECK(auth.substr(auth.find("Signature=") + 10) == expected);
  }
}

TEST_CASE("https upstream reuses its keep-alive connection across requests", "[https_upstream]") {
  std::mutex mu;
  std::set<int> remote_ports;
  LocalServer server([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    remote_ports.insert(req.remote_port);
    res.set_content("{}", "application/x-amz-json-1.1");
  });
  auto up = MakeUpstream(server.url());
  for (int i = 0; i < 5; ++i) REQUIRE(up->Forward(ClientRequest()).ok());
  CHECK(remote_ports.size() == 1);
}

TEST_CASE("https upstream decodes gzip answers and keeps the encoded bytes", "[https_upstream]") {
  std::string plain = "{\"Status\":\"Success\",\"StandardOutputContent\":\"" + std::string(3000, 'x') + "\"}";
  std::string zipped;
  httplib::detail::gzip_compressor gz;
  REQUIRE(gz.compress(plain.data(), plain.size(), true, [&](const char* d, size_t n) {
    zipped.append(d, n);
    return true;
  }));
  std::string accept_seen;
  LocalServer server([&](const httplib::Request& req, httplib::Response& res) {
    accept_seen = req.get_header_value("Accept-Encoding");
    res.set_header("Content-Encoding", "gzip");  // even unasked, as some servers do
    res.set_content(zipped, "application/x-amz-json-1.1");
  });
  auto up = MakeUpstream(server.url());
  UpstreamResult r = up->Forward(ClientRequest({{"Accept-Encoding", "gzip"}}));
  REQUIRE(r.ok());
  CHECK(accept_seen == "gzip");
  CHECK(r.response->body == plain);
  CHECK(r.response->content_encoding == "gzip");
  CHECK(r.response->encoded_body == zipped);
  for (const auto& h : r.response->headers) {
    CHECK(h.first != "Content-Encoding");
    CHECK(h.first != "Content-Length");
  }

  UpstreamResult r2 = up->Forward(ClientRequest());
  REQUIRE(r2.ok());
  CHECK(accept_seen == "identity");
  CHECK(ClientResponse(ClientRequest(), *r2.response).body == plain);
}

TEST_CASE("https upstream: a slow upstream is a 504 naming the upstream", "[https_upstream]") {
  LocalServer server([&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("{}", "application/x-amz-json-1.1");
  });
  auto up = MakeUpstream(server.url(), 0.3);
  UpstreamResult r = up->Forward(ClientRequest());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.http_status == 504);
  CHECK(r.error.type == kUpstreamTimeout);
  CHECK(r.error.message.find(server.url()) != std::string::npos);
  CHECK(r.error.ToResponse().body.find("UpstreamTimeoutException") != std::string::npos);
}

TEST_CASE("https upstream: a refused connection is a 502", "[https_upstream]") {
  int port;
  {
    LocalServer server([](const httplib::Request&, httplib::Response&) {});
    port = server.port();
  }  // stopped: nothing listens there now
  auto up = MakeUpstream("http://127.0.0.1:" + std::to_string(port), 2);
  UpstreamResult r = up->Forward(ClientRequest());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error.http_status == 502);
  CHECK(r.error.type == kUpstreamUnreachable);
  CHECK(r.error.message.find("refused") != std::string::npos);
  CHECK(r.error.message.find(std::to_string(port)) != std::string::npos);
}

TEST_CASE("https upstream: garbage and truncated answers are 502s", "[https_upstream]") {
  SECTION("garbage") {
    RawServer raw("this is not HTTP at all\r\n\r\n");
    auto up = MakeUpstream(raw.url(), 2);
    UpstreamResult r = up->Forward(ClientRequest());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.http_status == 502);
    CHECK(r.error.message.find("malformed or truncated") != std::string::npos);
  }
  SECTION("truncated body") {
    RawServer raw("HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"St");
    auto up = MakeUpstream(raw.url(), 2);
    UpstreamResult r = up->Forward(ClientRequest());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.http_status == 502);
  }
  SECTION("bad gzip") {
    RawServer raw("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nnope!");
    auto up = MakeUpstream(raw.url(), 2);
    UpstreamResult r = up->Forward(ClientRequest());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.http_status == 502);
    CHECK(r.error.message.find("could not be decoded") != std::string::npos);
  }
}

TEST_CASE("https upstream verifies certificates: refused without the CA, accepted with --ca-file",
          "[https_upstream]") {
  // A throwaway CA-less self-signed certificate for 127.0.0.1, made with the openssl tool.
  char tmpl[] = "/tmp/ssm-tls-test-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl, cert = dir + "/cert.pem", key = dir + "/key.pem";
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
                    "-addext subjectAltName=IP:127.0.0.1 -keyout " + key + " -out " + cert + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);

  httplib::SSLServer server(cert.c_str(), key.c_str());
  REQUIRE(server.is_valid());
  server.Post("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"Status\":\"Success\"}", "application/x-amz-json-1.1");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);
  std::thread thread([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string url = "https://127.0.0.1:" + std::to_string(port);

  HttpsUpstreamOptions o;
  o.url = url;
  o.region = "us-east-1";
  o.timeout_s = 5;
  {
    auto untrusted = HttpsUpstream::Create(o, Operator(false));
    REQUIRE(untrusted.ok());
    UpstreamResult r = untrusted.value()->Forward(ClientRequest());
    REQUIRE_FALSE(r.ok());
    CHECK(r.error.http_status == 502);
    CHECK(r.error.message.find("certificate") != std::string::npos);
    CHECK(r.error.message.find("--ca-file") != std::string::npos);
  }
  {
    o.ca_file = cert;
    auto trusted = HttpsUpstream::Create(o, Operator(false));
    REQUIRE(trusted.ok());
    UpstreamResult r = trusted.value()->Forward(ClientRequest());
    REQUIRE(r.ok());
    CHECK(r.response->body == "{\"Status\":\"Success\"}");
  }
  server.stop();
  thread.join();
  std::remove(cert.c_str());
  std::remove(key.c_str());
  rmdir(dir.c_str());
}

TEST_CASE("https upstream: bad options are refused with a clear message", "[https_upstream]") {
  HttpsUpstreamOptions o;
  o.region = "eu-west-1";
  auto ok = HttpsUpstream::Create(o, Operator(false));
  REQUIRE(ok.ok());
  CHECK(ok.value()->url() == "https://ssm.eu-west-1.amazonaws.com");

  for (std::string bad : {"ftp://x", "127.0.0.1:5000", "http://", "http://h/path", "http://h:99999"}) {
    o.url = bad;
    auto r = HttpsUpstream::Create(o, Operator(false));
    CHECK_FALSE(r.ok());
    CHECK(r.status().message().find("--upstream") != std::string::npos);
  }
  o.url = "http://127.0.0.1:5000/";
  auto trailing = HttpsUpstream::Create(o, Operator(false));
  REQUIRE(trailing.ok());
  CHECK(trailing.value()->url() == "http://127.0.0.1:5000");

  o.url = "";
  o.timeout_s = 0;
  CHECK_FALSE(HttpsUpstream::Create(o, Operator(false)).ok());
  o.timeout_s = 5;
  o.ca_file = "/nonexistent/ca.pem";
  auto ca = HttpsUpstream::Create(o, Operator(false));
  CHECK_FALSE(ca.ok());
  CHECK(ca.status().message().find("/nonexistent/ca.pem") != std::string::npos);
  o.ca_file = "";
  o.region = "";
  CHECK_FALSE(HttpsUpstream::Create(o, Operator(false)).ok());
}

}  // namespace
}  // namespace ssm
