// ssm-bench-floor: the framework floor for the replay benchmark (issue 3), and a fast local upstream
// for the record benchmark (issue 4).
//
// A cpp-httplib server answering every POST with one fixed body and the headers a replayed
// GetCommandInvocation carries (Content-Type, x-amzn-RequestId, a fresh Date). Its tuning mirrors
// proxy/server.cc (Server::Impl::Bind) exactly — TCP_NODELAY, the elastic worker pool (8 .. 1024),
// keep-alive max count 1,000,000, keep-alive timeout 5 s, read/write timeouts 10 s, 1 MiB payload limit,
// and the same regex routes — so the difference between the two is ssm-replay's own work (parsing,
// key extraction, tape lookup, metrics, access log), not cpp-httplib's.
//
//   ssm-bench-floor --listen 127.0.0.1:0 --body FILE [--request-id ID]
//
// Prints "listening on HOST:PORT" once bound (as `ssm-replay serve` does); SIGINT/SIGTERM stop it.
// Keep the pool and settings in step with proxy/server.cc when those change.
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

namespace {

// Copy of proxy/server.cc's ElasticPool (it lives in that file's anonymous namespace): starts a worker
// whenever a job would otherwise wait, up to `max`, because cpp-httplib holds one worker per
// keep-alive connection.
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(size_t min, size_t max) : max_(std::max(max, min)) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < min; ++i) Spawn();
  }
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_.push_back(std::move(fn));
      if (jobs_.size() > idle_ && threads_.size() < max_) Spawn();
    }
    cv_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Spawn() {  // mu_ held
    if (shutdown_) return;
    threads_.emplace_back([this] { Work(); });
  }

  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++idle_;
        cv_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        --idle_;
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const size_t max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

// Same as proxy/server.cc: RFC 7231 date, recomputed at most once a second per thread.
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

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "ssm-bench-floor: %s\nusage: ssm-bench-floor --listen HOST:PORT --body FILE [--request-id ID]\n",
               why);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", body_file, request_id = "8d3c1a52-6f0e-4b7a-9c1d-2e5f7a9b0c3d";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value after " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--listen") listen = value();
    else if (arg == "--body") body_file = value();
    else if (arg == "--request-id") request_id = value();
    else Usage(("unknown argument " + arg).c_str());
  }
  if (body_file.empty()) Usage("--body FILE is required");
  std::ifstream in(body_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) Usage(("cannot read " + body_file).c_str());
  const std::string body = text.str();

  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) Usage("--listen wants HOST:PORT");
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);

  // Stop cleanly on SIGINT/SIGTERM: block them in every thread, wait for them in one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  httplib::Server server;
  server.new_task_queue = [] { return new ElasticPool(8, 1024); };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(1000000);
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_payload_max_length(1 << 20);
  auto handler = [&](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.headers.emplace("Content-Type", "application/x-amz-json-1.1");
    res.headers.emplace("x-amzn-RequestId", request_id);
    res.set_header("Date", HttpDate());
    res.body = body;
  };
  server.Get(".*", handler);
  server.Post(".*", handler);

  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
    if (bound <= 0) Usage(("cannot listen on " + listen).c_str());
  } else if (!server.bind_to_port(host, port)) {
    Usage(("cannot listen on " + listen).c_str());
  }
  std::printf("listening on %s:%d\n", host.c_str(), bound);
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  bool ok = server.listen_after_bind();
  if (!ok) {  // the waiter still blocks in sigwait: wake it
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  return ok ? 0 : 1;
}
