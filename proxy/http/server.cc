#include "proxy/http/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <string_view>
#include <thread>
#include <utility>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "proxy/http/access_log.h"
#include "proxy/http/admin_endpoints.h"
#include "proxy/http/json_log.h"
#include "proxy/http/request_headers.h"
#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/request_parser.h"
#include "proxy/ssm/ssm_actions.h"
#include "proxy/http/tcp_shutdown.h"
#include "proxy/http/tuned_http_server.h"

namespace ssm {
namespace {

// Headers the server writes itself: never copied from a recorded answer.
bool IsServerOwnedHeader(std::string_view name) {
  static constexpr std::string_view kOwned[] = {"Date",       "Content-Length",    "Connection",
                                                "Keep-Alive", "Transfer-Encoding", "Content-Encoding"};
  for (std::string_view owned : kOwned) {
    if (HeaderNameIs(name, owned)) return true;
  }
  return false;
}

void ApplyResponse(HttpResponse&& response, httplib::Response& res) {
  res.status = response.status;
  for (auto& [name, value] : response.headers) {
    if (!IsServerOwnedHeader(name)) res.headers.emplace(std::move(name), std::move(value));
  }
  res.set_header("Date", HttpDate());
  res.body = std::move(response.body);
}

const char* ErrorTypeForStatus(int status) {
  switch (status) {
    case 400:
      return "BadRequestException";
    case 404:
      return "NotFoundException";
    case 405:
      return "MethodNotAllowedException";
    case 408:
      return "RequestTimeoutException";
    case 413:
      return "RequestEntityTooLargeException";
    case 414:
      return "RequestUriTooLongException";
    case 431:
      return "RequestHeaderFieldsTooLargeException";
    default:
      return status >= 500 ? "InternalServerError" : "HttpException";
  }
}

// Header bytes a request may carry in all (SDK requests carry 1-3 KB, a session token included);
// more is refused with 431. cpp-httplib 0.11 itself limits one header line to 8192 bytes
// (CPPHTTPLIB_HEADER_MAX_LENGTH) but not their number or total.
constexpr size_t kMaxHeaderBytes = 16 * 1024;

bool SignalsBlocked() {
  sigset_t current;
  if (pthread_sigmask(SIG_BLOCK, nullptr, &current) != 0) return false;
  return sigismember(&current, SIGTERM) == 1 && sigismember(&current, SIGINT) == 1;
}

}  // namespace

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<ListenAddress> ListenAddress::Parse(const std::string& text) {
  ListenAddress out;
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Status::InvalidArgument("bad --listen '" + text + "': use HOST:PORT or [IPV6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return Status::InvalidArgument("bad --listen '" + text + "': use HOST:PORT, e.g. 127.0.0.1:4580");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Status::InvalidArgument("bad --listen '" + text + "': the host is missing");
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    return Status::InvalidArgument("bad --listen '" + text + "': the port must be 0 to 65535");
  }
  out.host = host;
  out.port = std::stoi(port);
  return out;
}

std::string ListenAddress::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.compare(0, 4, "127.") == 0;
}

class Server::Impl {
 public:
  Impl(ServerParts parts, ServerOptions options)
      : parts_(parts), options_(std::move(options)), admin_(parts_, options_), access_log_(AccessLogger()) {}

  Status Bind();
  Status Run();
  void Stop() {
    stopping_ = true;
    server_.stop();
  }
  int port() const { return port_; }

 private:
  // Routes every method and path to HandleApi, and installs the pre-routing, error and exception
  // handlers.
  void InstallHandlers();
  // Binds the listen address (a free port for port 0) and sets port_.
  Status Listen();
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void HandleApi(const httplib::Request& req, httplib::Response& res);
  // The mode's answer to an API call (or the parser's error), after the delay it asks for.
  ModeAnswer AskMode(const ParsedRequest& parsed);
  void HandleAdmin(const httplib::Request& req, httplib::Response& res, std::chrono::steady_clock::time_point start);
  httplib::Server::HandlerResponse HandleHttpError(const httplib::Request& req, httplib::Response& res);
  // Metrics and the access log for a request the server refused before it reached the mode (answered
  // at once: logged as taking 0 us).
  void CountRefusal(const httplib::Request& req, int status) {
    std::string action(ActionFromTarget(req.get_header_value("X-Amz-Target")));
    parts_.metrics->RecordRequest(action, Outcome::kError, 0);
    AccessEntry entry;
    entry.method = req.method;
    entry.path = req.path;
    entry.action = action;
    entry.status = status;
    access_log_.Write(entry);
  }
  // Answers a request refused before its body was read, and closes the connection: the unread body
  // would otherwise be taken for the next request.
  httplib::Server::HandlerResponse Refuse(const httplib::Request& req, httplib::Response& res, int status,
                                          std::string message) {
    ApplyResponse(AwsError{status, ErrorTypeForStatus(status), std::move(message)}.ToResponse(), res);
    res.set_header("Connection", "close");
    CountRefusal(req, status);
    return httplib::Server::HandlerResponse::Handled;
  }
  static std::shared_ptr<spdlog::logger> AccessLogger() {
    std::shared_ptr<spdlog::logger> logger = spdlog::get(kAccessLoggerName);
    return logger ? logger : spdlog::default_logger();
  }

  const ServerParts parts_;
  const ServerOptions options_;
  TunedHttpServer server_;
  AdminEndpoints admin_;
  AccessLog access_log_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
}

void Server::Impl::HandleApi(const httplib::Request& req, httplib::Response& res) {
  auto start = std::chrono::steady_clock::now();
  if (IsAdminPath(req.path)) return HandleAdmin(req, res, start);

  HeaderList headers = HeadersForMode(req, parts_.mode->ReadsRequestHeaders(), options_.session_from_access_key);
  ParsedRequest parsed = ParseSsmRequest(req.method, req.path, std::move(headers), req.body, options_.http.max_body,
                                         options_.session_from_access_key);
  ModeAnswer answer = AskMode(parsed);
  AccessEntry entry;
  entry.status = answer.response.status;
  if (answer.drop_connection) {  // fault injection's `reset`: no answer; cpp-httplib's write then fails
    Status dropped = ShutdownTcpConnection(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
    if (dropped.ok()) {
      entry.status = 0;  // nothing was answered
    } else {
      spdlog::warn("could not drop the connection: {}; answering {} instead", dropped.ToString(), entry.status);
    }
  }
  ApplyResponse(std::move(answer.response), res);
  entry.micros = MicrosSince(start);
  parts_.metrics->RecordRequest(parsed.action, answer.outcome, entry.micros);
  entry.method = req.method;
  entry.path = req.path;
  entry.action = parsed.action;
  entry.key = parsed.ok() ? &parsed.request->key : nullptr;
  if (parsed.ok()) entry.session = parsed.request->session;
  entry.outcome = answer.outcome;
  entry.step = answer.step;
  entry.steps = answer.steps;
  access_log_.Write(entry);
}

ModeAnswer Server::Impl::AskMode(const ParsedRequest& parsed) {
  if (!parsed.ok()) {
    ModeAnswer answer;
    answer.outcome = Outcome::kError;
    answer.response = parsed.error->ToResponse();
    return answer;
  }
  ModeAnswer answer = parts_.mode->Handle(*parsed.request);
  if (answer.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(answer.delay_us));
  return answer;
}

void Server::Impl::HandleAdmin(const httplib::Request& req, httplib::Response& res,
                               std::chrono::steady_clock::time_point start) {
  AdminEndpoints::Answer answer = admin_.Handle(req);
  AccessEntry entry;
  entry.status = answer.response.status;
  ApplyResponse(std::move(answer.response), res);
  entry.method = req.method;
  entry.path = req.path;
  entry.outcome = answer.outcome;
  entry.micros = MicrosSince(start);
  access_log_.Write(entry);
}

httplib::Server::HandlerResponse Server::Impl::HandleHttpError(const httplib::Request& req,
                                                               httplib::Response& res) {
  // Called for every answer with status >= 400, ours included: only fill in cpp-httplib's own
  // (empty-bodied) ones — oversized bodies, bad request lines, URIs too long.
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  std::string message;
  switch (res.status) {
    case 413:
      message = "Request body exceeds the limit of " + std::to_string(options_.http.max_body) +
                " bytes (serve --max-body)";
      break;
    case 414:
      message = "Request URI too long";
      break;
    case 400:
      // cpp-httplib answers 400 when a header line exceeds 8192 bytes (or the headers never end). It
      // parsed the request line then (path set) but had not yet added REMOTE_ADDR, which it adds to
      // every request whose header section it read.
      if (!req.path.empty() && !req.has_header("REMOTE_ADDR")) {
        res.status = 431;
        message = "Request header fields too large: a header line is over 8192 bytes (or the header "
                  "section was cut off)";
      } else {
        message = "Malformed HTTP request";
      }
      break;
    default:
      message = "HTTP error " + std::to_string(res.status);
      break;
  }
  HttpResponse r = AwsError{res.status, ErrorTypeForStatus(res.status), message}.ToResponse();
  res.body = std::move(r.body);
  for (auto& [name, value] : r.headers) res.set_header(name, value);
  res.set_header("Date", HttpDate());
  CountRefusal(req, res.status);
  return httplib::Server::HandlerResponse::Handled;
}

httplib::Server::HandlerResponse Server::Impl::PreRoute(const httplib::Request& req, httplib::Response& res) {
  HeaderFacts facts = GatherHeaderFacts(req);
  if (facts.bytes > kMaxHeaderBytes) {
    return Refuse(req, res, 431,
                  "Request header fields too large: " + std::to_string(facts.bytes) +
                      " bytes of headers, the limit is " + std::to_string(kMaxHeaderBytes));
  }
  // A body announced over the limit is refused before it is read: cpp-httplib would read and discard
  // all of it first (or wait out its read timeout for bytes that never come) before its own 413.
  if (facts.content_length > options_.http.max_body) {
    return Refuse(req, res, 413,
                  "Request body of " + std::to_string(facts.content_length) + " bytes exceeds the limit of " +
                      std::to_string(options_.http.max_body) + " bytes (serve --max-body)");
  }
  // Admin calls carry no body; answering them before cpp-httplib reads one lets a bare
  // `curl -X POST .../__replay/reset` (no Content-Length, which cpp-httplib 0.11 refuses as 400) work.
  // A request that does announce a body takes the normal route, so the body is still consumed.
  if (!IsAdminPath(req.path) || facts.chunked || facts.content_length != 0) {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  HandleAdmin(req, res, std::chrono::steady_clock::now());
  return httplib::Server::HandlerResponse::Handled;
}

void Server::Impl::InstallHandlers() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { HandleApi(req, res); };
  // Every method and path reaches HandleApi, which answers AWS-shaped 404/405s itself.
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  server_.Put(".*", handler);
  server_.Patch(".*", handler);
  server_.Delete(".*", handler);
  server_.Options(".*", handler);
  server_.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return HandleHttpError(req, res); }));
  server_.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("request failed: {}", what);
    HttpResponse r = AwsError{500, "InternalServerError", "ssm-replay failed: " + what}.ToResponse();
    res.status = 500;
    res.body = std::move(r.body);
    for (auto& [name, value] : r.headers) res.set_header(name, value);
  });
}

Status Server::Impl::Listen() {
  const ListenAddress& listen = options_.listen;
  if (listen.port == 0) {
    port_ = server_.bind_to_any_port(listen.host);
    if (port_ <= 0) return Status::IOError("cannot listen on " + listen.ToString() + ": bind failed");
    return Status::OK();
  }
  errno = 0;
  if (!server_.bind_to_port(listen.host, listen.port)) {
    if (errno == EADDRINUSE) {
      return Status::IOError("cannot listen on " + listen.ToString() +
                             ": the address is already in use (another ssm-replay serve, or another program, "
                             "listens there: stop it, or pick another port with --listen HOST:PORT)");
    }
    return Status::IOError("cannot listen on " + listen.ToString() +
                           ": the address is in use or not local (pick another with --listen HOST:PORT)");
  }
  port_ = listen.port;
  return Status::OK();
}

Status Server::Impl::Bind() {
  server_.Apply(options_.http);
  InstallHandlers();
  if (Status listening = Listen(); !listening.ok()) return listening;
  admin_.set_port(port_);
  if (!server_.RaiseBacklog()) spdlog::warn("could not raise the listen backlog: bursts of connections may stall");
  if (!IsLoopbackHost(options_.listen.host)) {
    spdlog::warn("listening on non-loopback address {}: anyone who can reach it can read the recorded tapes{}",
                 options_.listen.ToString(),
                 options_.admin_token.empty() ? "; admin endpoints are disabled (no --admin-token)" : "");
  }
  return Status::OK();
}

Status Server::Impl::Run() {
  std::atomic<bool> done{false};
  std::thread signal_waiter;
  if (SignalsBlocked()) {
    signal_waiter = std::thread([this, &done] {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGINT);
      sigaddset(&set, SIGTERM);
      struct timespec tick = {0, 100 * 1000 * 1000};
      while (!done.load()) {
        int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
          spdlog::info("received {}, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
          Stop();
          return;
        }
      }
    });
  }
  bool ok = stopping_ ? true : server_.listen_after_bind();
  done = true;
  if (signal_waiter.joinable()) signal_waiter.join();
  if (!ok && !stopping_) return Status::IOError("server on port " + std::to_string(port_) + " failed");
  return Status::OK();
}

Server::Server(ServerParts parts, ServerOptions options)
    : impl_(std::make_unique<Impl>(parts, std::move(options))) {}
Server::~Server() = default;
Status Server::Bind() { return impl_->Bind(); }
int Server::port() const { return impl_->port(); }
Status Server::Run() { return impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace ssm
