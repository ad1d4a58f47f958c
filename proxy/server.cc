#include "proxy/server.h"

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <iterator>
#include <list>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "proxy/aws_error.h"
#include "proxy/cursor_table.h"
#include "proxy/tape_player.h"
#include "proxy/tcp_shutdown.h"
#include "store/canonical_json.h"
#include "store/tape_key.h"

namespace ssm {
namespace {

// cpp-httplib's ThreadPool starts a fixed number of threads and each keep-alive connection holds one
// for its whole life. This pool starts a worker whenever a job would otherwise wait, up to `max`, and
// lets workers beyond `min` end after kIdleExit without work, so a burst of clients leaves no
// lasting cost.
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(size_t min, size_t max) : min_(min), max_(std::max(max, min)) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < min; ++i) Spawn();
  }
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
      if (jobs_.size() > idle_ && live_ < max_) Spawn();
    }
    cv_.notify_one();
  }

  void shutdown() override {
    std::list<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
      all.splice(all.end(), threads_);
      all.splice(all.end(), finished_);
    }
    cv_.notify_all();
    // Workers still running only touch mu_/jobs_ (they never touch their std::thread once moved).
    for (auto& t : all) t.join();
  }

 private:
  static constexpr std::chrono::seconds kIdleExit{30};

  void Spawn() {  // mu_ held
    if (shutdown_) return;
    for (auto& t : finished_) t.join();  // ended workers: join returns at once
    finished_.clear();
    threads_.emplace_back();
    auto self = std::prev(threads_.end());
    ++live_;
    *self = std::thread([this, self] { Work(self); });
  }

  void Work(std::list<std::thread>::iterator self) {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++idle_;
        bool woken = cv_.wait_for(lock, kIdleExit, [&] { return !jobs_.empty() || shutdown_; });
        --idle_;
        if (shutdown_ && jobs_.empty()) return;
        if (!woken) {
          if (live_ > min_) {
            --live_;
            finished_.splice(finished_.end(), threads_, self);  // joined by a later Spawn or shutdown
            return;
          }
          continue;
        }
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t min_, max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;   // running workers
  std::list<std::thread> finished_;  // workers that ended, not yet joined
  size_t live_ = 0;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

// cpp-httplib 0.11 listens with a backlog of 5: a burst of connecting clients overflows the accept
// queue, and the kernel drops their packets until TCP retransmits (1 s, 3 s, ... of added latency).
// Linux lets listen() be called again on a listening socket to raise the backlog; the socket is a
// protected member, hence this subclass.
class TunedServer : public httplib::Server {
 public:
  bool RaiseBacklog() {
    socket_t fd = svr_sock_;
    return fd != INVALID_SOCKET && ::listen(fd, SOMAXCONN) == 0;
  }
};

// RFC 7231 IMF-fixdate, recomputed at most once a second per thread.
std::string HttpDate() {
  thread_local time_t cached_second = 0;
  thread_local char cached[64] = {0};
  time_t now = time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(cached, sizeof(cached), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return cached;
}

// Headers the server writes itself: never copied from a recorded answer.
bool IsServerOwnedHeader(const std::string& name) {
  static const char* const kOwned[] = {"Date",       "Content-Length",    "Connection",
                                       "Keep-Alive", "Transfer-Encoding", "Content-Encoding"};
  for (const char* owned : kOwned) {
    if (strcasecmp(name.c_str(), owned) == 0) return true;
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

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
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

// Headers cpp-httplib adds to every request whose header section it read completely.
bool IsAddedByHttplib(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

size_t HeaderBytes(const httplib::Request& req) {
  size_t n = 0;
  for (const auto& [name, value] : req.headers) {
    if (!IsAddedByHttplib(name)) n += name.size() + value.size() + 4;  // ": " and CRLF
  }
  return n;
}

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
  Impl(ServerParts parts, ServerOptions options) : parts_(parts), options_(std::move(options)) {
    access_log_ = spdlog::get("access");
    if (!access_log_) access_log_ = spdlog::default_logger();
  }

  Status Bind();
  Status Run();
  void Stop() {
    stopping_ = true;
    server_.stop();
  }

  TunedServer server_;
  int port_ = 0;

 private:
  void HandleApi(const httplib::Request& req, httplib::Response& res);
  void HandleAdmin(const httplib::Request& req, httplib::Response& res,
                   std::chrono::steady_clock::time_point start);
  httplib::Server::HandlerResponse HandleHttpError(const httplib::Request& req, httplib::Response& res);
  void LogAccess(const std::string& method, const std::string& path, const std::string& action,
                 const std::string& key, Outcome outcome, int status, int64_t micros);

  ServerParts parts_;
  ServerOptions options_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::atomic<bool> stopping_{false};
};

void Server::Impl::LogAccess(const std::string& method, const std::string& path, const std::string& action,
                             const std::string& key, Outcome outcome, int status, int64_t micros) {
  if (!access_log_->should_log(spdlog::level::info)) return;
  // JSON, so client-chosen bytes (a CommandId with quotes or newlines) cannot forge log lines.
  // Headers are never logged: they carry the client's credentials.
  nlohmann::json line = {{"method", method},
                         {"path", path},
                         {"action", action.empty() ? "-" : action},
                         {"key", key},
                         {"outcome", OutcomeName(outcome)},
                         {"status", status},
                         {"us", micros}};
  access_log_->info("access {}", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void Server::Impl::HandleApi(const httplib::Request& req, httplib::Response& res) {
  auto start = std::chrono::steady_clock::now();
  if (req.path.compare(0, 10, "/__replay/") == 0) return HandleAdmin(req, res, start);

  HeaderList headers;
  headers.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) headers.emplace_back(name, value);
  ParsedRequest parsed =
      ParseSsmRequest(req.method, req.path, std::move(headers), req.body, options_.max_body);
  ModeAnswer answer;
  std::string key = "-";
  if (!parsed.ok()) {
    answer.outcome = Outcome::kError;
    answer.response = parsed.error->ToResponse();
  } else {
    key = parsed.request->key.Describe();
    answer = parts_.mode->Handle(*parsed.request);
    if (answer.delay_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(answer.delay_us));
  }
  int status = answer.response.status;
  if (answer.drop_connection) {  // fault injection's `reset`: no answer; cpp-httplib's write then fails
    Status dropped = ShutdownTcpConnection(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
    if (dropped.ok()) {
      status = 0;  // logged as status 0: nothing was answered
    } else {
      spdlog::warn("could not drop the connection: {}; answering {} instead", dropped.ToString(), status);
    }
  }
  ApplyResponse(std::move(answer.response), res);
  int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  parts_.metrics->RecordRequest(parsed.action, answer.outcome, micros);
  LogAccess(req.method, req.path, parsed.action, key, answer.outcome, status, micros);
}

void Server::Impl::HandleAdmin(const httplib::Request& req, httplib::Response& res,
                               std::chrono::steady_clock::time_point start) {
  auto finish = [&](HttpResponse response, Outcome outcome) {
    int status = response.status;
    ApplyResponse(std::move(response), res);
    int64_t micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
            .count();
    LogAccess(req.method, req.path, "", "-", outcome, status, micros);
  };
  auto json_answer = [&](int status, const nlohmann::json& body) {
    HttpResponse r;
    r.status = status;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    finish(std::move(r), Outcome::kHit);
  };
  auto error = [&](int status, const char* type, std::string message) {
    finish(AwsError{status, type, std::move(message)}.ToResponse(), Outcome::kError);
  };

  // Guard: a token when one is configured; no admin at all on a non-loopback address without one.
  if (!options_.admin_token.empty()) {
    std::string given = req.get_header_value("X-Replay-Admin-Token");
    std::string auth = req.get_header_value("Authorization");
    if (given.empty() && auth.compare(0, 7, "Bearer ") == 0) given = auth.substr(7);
    if (!ConstantTimeEquals(given, options_.admin_token)) {
      return error(403, "AccessDeniedException",
                   "Admin endpoints need the header X-Replay-Admin-Token with the serve --admin-token value");
    }
  } else if (!IsLoopbackHost(options_.listen.host)) {
    return error(403, "AccessDeniedException",
                 "Admin endpoints are disabled on a non-loopback listen address unless serve is started "
                 "with --admin-token");
  }

  if (req.path == "/__replay/health") {
    if (req.method != "GET") return error(405, "MethodNotAllowedException", "Use GET /__replay/health");
    return json_answer(
        200,
        {{"status", "ok"}, {"mode", parts_.mode->name()}, {"store", options_.store_dir}, {"port", port_}});
  }
  if (req.path == "/__replay/metrics") {
    if (req.method != "GET") return error(405, "MethodNotAllowedException", "Use GET /__replay/metrics");
    MetricsGauges gauges;
    if (parts_.player) {
      gauges.tapes_cached = parts_.player->tapes_cached();
      gauges.tape_loads = parts_.player->tape_loads();
    }
    if (parts_.cursors) gauges.cursors = parts_.cursors->size();
    HttpResponse r;
    r.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
    r.body = parts_.metrics->Render(gauges);
    return finish(std::move(r), Outcome::kHit);
  }
  if (req.path == "/__replay/reset") {
    if (req.method != "POST") return error(405, "MethodNotAllowedException", "Use POST /__replay/reset");
    if (parts_.cursors == nullptr) {
      return error(400, "BadRequestException",
                   std::string("Mode ") + parts_.mode->name() + " has no cursors");
    }
    auto param = [&](const char* name) -> std::optional<std::string> {
      if (!req.has_param(name)) return std::nullopt;
      return req.get_param_value(name);
    };
    auto command_id = param("CommandId"), instance_id = param("InstanceId"), plugin = param("PluginName");
    auto action = param("Action"), request = param("Request");
    if (!command_id && !instance_id && !plugin && !action) {
      parts_.cursors->ResetAll();
      if (parts_.player) parts_.player->InvalidateAll();
      return json_answer(200, {{"reset", "all"}});
    }
    if (command_id && !instance_id && !plugin && !action) {
      size_t n = parts_.cursors->ResetPrefix(TapeKey::CommandIdPrefix(*command_id));
      return json_answer(200, {{"reset", "CommandId " + *command_id}, {"cursors", n}});
    }
    Result<TapeKey> key = Status::InvalidArgument(
        "give CommandId (and InstanceId, optional PluginName), or Action and Request (the JSON body)");
    if (command_id && instance_id && !action) {
      key = TapeKey::ForInvocation(*command_id, *instance_id, plugin);
    } else if (action && request && !command_id && !instance_id && !plugin) {
      Result<std::string> canonical = CanonicalJson(*request);
      if (!canonical.ok())
        return error(400, "SerializationException", "Request: " + canonical.status().message());
      key = TapeKey::ForAction(*action, canonical.value());
    }
    if (!key.ok()) return error(400, "ValidationException", "Bad reset: " + key.status().message());
    bool had = parts_.cursors->Reset(key.value());
    if (parts_.player) parts_.player->Invalidate(key.value());
    return json_answer(200, {{"reset", key->Describe()}, {"had_cursor", had}});
  }
  error(404, "NotFoundException",
        "No admin endpoint '" + req.path.substr(0, 80) +
            "': use /__replay/health, /__replay/metrics or /__replay/reset");
}

httplib::Server::HandlerResponse Server::Impl::HandleHttpError(const httplib::Request& req,
                                                               httplib::Response& res) {
  // Called for every answer with status >= 400, ours included: only fill in cpp-httplib's own
  // (empty-bodied) ones — oversized bodies, bad request lines, URIs too long.
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  std::string message;
  switch (res.status) {
    case 413:
      message = "Request body exceeds the limit of " + std::to_string(options_.max_body) +
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
  std::string target = req.get_header_value("X-Amz-Target");
  std::string action = target.compare(0, 10, "AmazonSSM.") == 0 ? target.substr(10) : "";
  parts_.metrics->RecordRequest(action, Outcome::kError, 0);
  LogAccess(req.method, req.path, action, "-", Outcome::kError, res.status, 0);
  return httplib::Server::HandlerResponse::Handled;
}

Status Server::Impl::Bind() {
  size_t min_threads = options_.min_threads, max_threads = options_.max_threads;
  server_.new_task_queue = [min_threads, max_threads] { return new ElasticPool(min_threads, max_threads); };
  server_.set_tcp_nodelay(true);
  server_.set_keep_alive_max_count(1000000);  // the default (5) closes busy connections needlessly
  server_.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  server_.set_read_timeout(options_.read_timeout_s, 0);
  server_.set_write_timeout(options_.write_timeout_s, 0);
  server_.set_payload_max_length(options_.max_body);

  auto handler = [this](const httplib::Request& req, httplib::Response& res) { HandleApi(req, res); };
  // Every method and path reaches HandleApi, which answers AWS-shaped 404/405s itself.
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  server_.Put(".*", handler);
  server_.Patch(".*", handler);
  server_.Delete(".*", handler);
  server_.Options(".*", handler);
  // Admin calls carry no body; answering them before cpp-httplib reads one lets a bare
  // `curl -X POST .../__replay/reset` (no Content-Length, which cpp-httplib 0.11 refuses as 400) work.
  // A request that does announce a body takes the normal route, so the body is still consumed.
  server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (HeaderBytes(req) > kMaxHeaderBytes) {  // before any body is read
      auto start = std::chrono::steady_clock::now();
      HttpResponse r = AwsError{431, ErrorTypeForStatus(431),
                                "Request header fields too large: " + std::to_string(HeaderBytes(req)) +
                                    " bytes of headers, the limit is " + std::to_string(kMaxHeaderBytes)}
                           .ToResponse();
      ApplyResponse(std::move(r), res);
      res.set_header("Connection", "close");  // a body may follow, unread
      std::string target = req.get_header_value("X-Amz-Target");
      std::string action = target.compare(0, 10, "AmazonSSM.") == 0 ? target.substr(10) : "";
      int64_t micros = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start).count();
      parts_.metrics->RecordRequest(action, Outcome::kError, micros);
      LogAccess(req.method, req.path, action, "-", Outcome::kError, 431, micros);
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.path.compare(0, 10, "/__replay/") != 0 || req.has_header("Transfer-Encoding") ||
        req.get_header_value<uint64_t>("Content-Length") != 0) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    HandleAdmin(req, res, std::chrono::steady_clock::now());
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) { return HandleHttpError(req, res); }));
  server_.set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
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

  const ListenAddress& listen = options_.listen;
  if (listen.port == 0) {
    port_ = server_.bind_to_any_port(listen.host);
    if (port_ <= 0) return Status::IOError("cannot listen on " + listen.ToString() + ": bind failed");
  } else {
    if (!server_.bind_to_port(listen.host, listen.port)) {
      return Status::IOError("cannot listen on " + listen.ToString() +
                             ": the address is in use or not local (pick another with --listen HOST:PORT)");
    }
    port_ = listen.port;
  }
  if (!server_.RaiseBacklog())
    spdlog::warn("could not raise the listen backlog: bursts of connections may stall");
  if (!IsLoopbackHost(listen.host)) {
    spdlog::warn(
        "listening on non-loopback address {}: anyone who can reach it can read the recorded tapes{}",
        listen.ToString(),
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
int Server::port() const { return impl_->port_; }
Status Server::Run() { return impl_->Run(); }
void Server::Stop() { impl_->Stop(); }

}  // namespace ssm
