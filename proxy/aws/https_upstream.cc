#include "proxy/aws/https_upstream.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <utility>

#include <httplib.h>

#include "proxy/aws/sigv4_signer.h"

namespace ssm {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Client headers never forwarded: credentials and signing headers (the request is signed anew),
// Host (ours is the upstream's), hop-by-hop and framing headers (this hop's business), and
// Accept-Encoding (set below to what this proxy can decode), and ssm-replay's own session header.
bool IsDroppedRequestHeader(const std::string& lower_name) {
  static const char* const kDropped[] = {
      "authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256", "host",
      "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
      "te", "trailer", "transfer-encoding", "upgrade", "expect", "content-length", "accept-encoding",
      "cookie", "x-ssm-replay-session",
  };
  for (const char* d : kDropped) {
    if (lower_name == d) return true;
  }
  return false;
}

bool IsFramingResponseHeader(const std::string& lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" || lower_name == "transfer-encoding" ||
         lower_name == "content-length" || lower_name == "content-encoding" ||
         lower_name == "proxy-connection" || lower_name == "te" || lower_name == "trailer" ||
         lower_name == "upgrade";
}

std::string SecondsText(double s) {
  char buf[32];
  snprintf(buf, sizeof(buf), "%g", s);
  return buf;
}

// Why a connection could not be made: tells a DNS failure from a refusal, since httplib does not.
std::string ConnectCause(const std::string& host) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (result) freeaddrinfo(result);
  if (rc != 0) return "DNS lookup of " + host + " failed (" + gai_strerror(rc) + ")";
  return "connection refused or host unreachable";
}

bool Decode(const std::string& encoded, std::string* decoded) {
  httplib::detail::gzip_decompressor d;  // inflateInit2(32+15): gzip and zlib (deflate) both
  if (!d.is_valid()) return false;
  decoded->clear();
  return d.decompress(encoded.data(), encoded.size(), [&](const char* data, size_t n) {
    decoded->append(data, n);
    return true;
  });
}

// A transport failure: the status the client gets (502, or 504 for a timeout) and why.
struct SendFailure {
  int http_status = 502;
  std::string cause;
};

// What a failed send means. httplib reports a read timeout as a read error: the time spent tells them
// apart.
SendFailure DescribeSendError(httplib::Error err, int64_t elapsed_us, double timeout_s, const std::string& host) {
  std::string t = SecondsText(timeout_s);
  switch (err) {
    case httplib::Error::ConnectionTimeout:
      return {504, "connecting timed out after " + t + " s (--upstream-timeout)"};
    case httplib::Error::Connection:
      return {502, ConnectCause(host)};
    case httplib::Error::Read:
      if (static_cast<double>(elapsed_us) >= timeout_s * 1e6 * 0.95) {
        return {504, "no answer within " + t + " s (--upstream-timeout)"};
      }
      return {502, "the connection was closed or reset, or the answer was malformed or truncated"};
    case httplib::Error::Write:
      return {502, "sending the request failed (connection closed or reset)"};
    case httplib::Error::SSLConnection:
      return {502, "TLS handshake failed"};
    case httplib::Error::SSLLoadingCerts:
      return {502, "could not load the CA certificates (--ca-file or system bundle)"};
    case httplib::Error::SSLServerVerification:
      return {502, "TLS certificate verification failed (for a private CA, pass it with --ca-file PEM)"};
    default:
      return {502, httplib::to_string(err)};
  }
}

// The client's headers worth forwarding, and whether it accepts gzip.
HeaderList ForwardedHeaders(const HeaderList& headers, bool* client_wants_gzip) {
  HeaderList out;
  *client_wants_gzip = false;
  for (const auto& [name, value] : headers) {
    std::string n = Lower(name);
    if (n == "accept-encoding" && Lower(value).find("gzip") != std::string::npos) *client_wants_gzip = true;
    if (!IsDroppedRequestHeader(n)) out.emplace_back(name, value);
  }
  return out;
}

// Moves upstream's answer into `out`: its headers but the framing ones, its body decoded (keeping the
// encoded bytes too). Empty, or why the answer cannot be used.
std::string TakeResponse(httplib::Response& hres, UpstreamResponse* out) {
  out->status = hres.status;
  std::string encoding;
  for (const auto& [name, value] : hres.headers) {
    std::string n = Lower(name);
    if (n == "content-encoding") encoding = Lower(value);
    if (!IsFramingResponseHeader(n)) out->headers.emplace_back(name, value);
  }
  if (encoding.empty() || encoding == "identity") {
    out->body = std::move(hres.body);
    return "";
  }
  if (encoding != "gzip" && encoding != "x-gzip" && encoding != "deflate") {
    return "unsupported Content-Encoding '" + encoding + "' in the answer";
  }
  if (!Decode(hres.body, &out->body)) return "the " + encoding + "-encoded answer could not be decoded";
  out->content_encoding = encoding;
  out->encoded_body = std::move(hres.body);
  return "";
}

struct UpstreamAddress {
  bool https = true;
  std::string authority;  // host[:port], as sent in Host
  std::string host;       // without brackets or port
};

// --upstream: scheme://host[:port], optionally with a trailing '/'.
Result<UpstreamAddress> ParseUpstreamUrl(const std::string& url) {
  UpstreamAddress address;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    address.https = false;
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("--upstream '" + url +
                                   "' must start with https:// (or http:// for a local emulator)");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) {
    return Status::InvalidArgument("--upstream '" + url +
                                   "' must be scheme://host[:port] with no path, e.g. http://127.0.0.1:5000");
  }
  address.authority = rest;
  address.host = rest;
  if (rest[0] == '[') {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("--upstream '" + url + "': bad IPv6 host");
    address.host = rest.substr(1, close - 1);
  } else if (rest.find(':') != std::string::npos) {
    address.host = rest.substr(0, rest.find(':'));
    std::string port = rest.substr(rest.find(':') + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), ::isdigit) ||
        std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return Status::InvalidArgument("--upstream '" + url + "': bad port '" + port + "'");
    }
  }
  return address;
}

}  // namespace

std::string HttpsUpstream::DefaultUrl(const std::string& region) {
  return "https://ssm." + region + ".amazonaws.com";
}

Result<std::unique_ptr<HttpsUpstream>> HttpsUpstream::Create(const HttpsUpstreamOptions& options,
                                                             AwsCredentials credentials) {
  return Create(options, FixedCredentials(std::move(credentials)));
}

Result<std::unique_ptr<HttpsUpstream>> HttpsUpstream::Create(const HttpsUpstreamOptions& options,
                                                             std::shared_ptr<CredentialSource> credentials) {
  if (options.region.empty()) {
    return Status::InvalidArgument("no AWS region to sign upstream requests for: pass --region");
  }
  if (!(options.timeout_s > 0) || !std::isfinite(options.timeout_s)) {
    return Status::InvalidArgument("--upstream-timeout must be a positive number of seconds, not " +
                                   SecondsText(options.timeout_s));
  }
  std::unique_ptr<HttpsUpstream> u(new HttpsUpstream());
  u->options_ = options;
  u->credentials_ = std::move(credentials);
  if (u->credentials_ == nullptr) return Status::InvalidArgument("no credentials to sign upstream requests with");
  std::string url = options.url.empty() ? DefaultUrl(options.region) : options.url;
  Result<UpstreamAddress> address = ParseUpstreamUrl(url);
  if (!address.ok()) return address.status();
  u->https_ = address->https;
  u->authority_ = address->authority;
  u->host_ = address->host;
  u->url_ = (u->https_ ? "https://" : "http://") + u->authority_;
  if (!options.ca_file.empty()) {
    std::ifstream f(options.ca_file);
    if (!f) {
      return Status::InvalidArgument("--ca-file '" + options.ca_file +
                                     "' cannot be read: give a PEM file of CA certificates");
    }
    if (!u->https_) {
      return Status::InvalidArgument("--ca-file is only used for an https:// upstream, not " + u->url_);
    }
  }
  if (!u->options_.clock) u->options_.clock = [] { return std::time(nullptr); };
  return u;
}

HttpsUpstream::~HttpsUpstream() = default;

std::unique_ptr<httplib::Client> HttpsUpstream::Acquire() {
  {
    MutexLock lock(&pool_mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  auto c = std::make_unique<httplib::Client>(url_);
  auto secs = static_cast<time_t>(options_.timeout_s);
  auto usecs = static_cast<time_t>((options_.timeout_s - static_cast<double>(secs)) * 1e6);
  c->set_connection_timeout(secs, usecs);
  c->set_read_timeout(secs, usecs);
  c->set_write_timeout(secs, usecs);
  c->set_keep_alive(true);
  c->set_tcp_nodelay(true);
  c->set_decompress(false);  // decoded here, keeping the encoded bytes for clients that want them
  c->set_follow_location(false);
  if (https_) {
    c->enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) c->set_ca_cert_path(options_.ca_file);
  }
  return c;
}

void HttpsUpstream::Release(std::unique_ptr<httplib::Client> client) {
  MutexLock lock(&pool_mu_);
  if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(client));
}

AwsError HttpsUpstream::TransportError(int http_status, const std::string& cause) const {
  AwsError e;
  e.http_status = http_status;
  e.type = http_status == 504 ? kUpstreamTimeout : kUpstreamUnreachable;
  e.message = "ssm-replay could not get an answer from upstream " + url_ + ": " + cause +
              " (nothing was recorded)";
  return e;
}

Status HttpsUpstream::SignedRequest(const SsmRequest& request, httplib::Request* out) const {
  SigningRequest sreq;
  sreq.method = "POST";
  sreq.path = "/";
  sreq.host = authority_;
  sreq.body = request.body;
  bool client_wants_gzip = false;
  sreq.headers = ForwardedHeaders(request.headers, &client_wants_gzip);
  // Ask for gzip only when the client did: it then gets the bytes as upstream sent them.
  sreq.headers.emplace_back("Accept-Encoding", client_wants_gzip ? "gzip" : "identity");
  Result<AwsCredentials> credentials = credentials_->Current();
  if (!credentials.ok()) {
    return Status::InvalidArgument("no AWS credentials to sign with: " + credentials.status().message());
  }
  Status signed_ok = SignRequest(sreq, credentials.value(), options_.region, "ssm", options_.clock());
  if (!signed_ok.ok()) return signed_ok;

  out->method = "POST";
  out->path = "/";
  for (auto& [name, value] : sreq.headers) out->headers.emplace(name, value);
  out->body = std::move(sreq.body);
  if (!out->has_header("Content-Type")) out->headers.emplace("Content-Type", "application/x-amz-json-1.1");
  return Status::OK();
}

UpstreamResult HttpsUpstream::Forward(const SsmRequest& request) {
  UpstreamResult result;
  httplib::Request hreq;
  if (Status s = SignedRequest(request, &hreq); !s.ok()) {
    result.error = TransportError(502, "could not sign the request: " + s.message());
    return result;
  }

  std::unique_ptr<httplib::Client> client = Acquire();
  httplib::Response hres;
  httplib::Error err = httplib::Error::Success;
  auto start = std::chrono::steady_clock::now();
  bool sent = client->send(hreq, hres, err);
  int64_t elapsed_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  if (!sent || err != httplib::Error::Success) {  // the client (and its connection) is dropped, not reused
    SendFailure failure = DescribeSendError(err, elapsed_us, options_.timeout_s, host_);
    result.error = TransportError(failure.http_status, failure.cause);
    return result;
  }

  UpstreamResponse response;
  response.latency_us = elapsed_us;
  if (std::string unusable = TakeResponse(hres, &response); !unusable.empty()) {
    result.error = TransportError(502, unusable);
    return result;
  }
  Release(std::move(client));
  result.response = std::move(response);
  return result;
}

}  // namespace ssm
