// ssm-bench-floor: the framework floor for the replay benchmark (issue 3), and a fast local upstream
// for the record benchmark (issue 4).
//
// A cpp-httplib server answering every GET/POST with one fixed body and the headers a replayed
// GetCommandInvocation carries (Content-Type, x-amzn-RequestId, a fresh Date). It is built on the
// proxy's own ssm::TunedHttpServer with default HttpTuning and the same calls as Server::Impl::Bind
// (Apply before binding, the ".*" routes, RaiseBacklog after binding), so the difference between the
// two is ssm-replay's own work (parsing, key extraction, tape lookup, metrics, access log), not
// cpp-httplib's or its tuning.
//
//   ssm-bench-floor --listen 127.0.0.1:0 --body FILE [--request-id ID]
//
// Prints "listening on HOST:PORT" once bound (as `ssm-replay serve` does); SIGINT/SIGTERM stop it.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "proxy/http/tuned_http_server.h"

namespace {

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "ssm-bench-floor: %s\nusage: ssm-bench-floor --listen HOST:PORT --body FILE [--request-id ID]\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0", body_file, request_id = "8d3c1a52-6f0e-4b7a-9c1d-2e5f7a9b0c3d";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value after " + arg);
      return argv[++i];
    };
    if (arg == "--listen") listen = value();
    else if (arg == "--body") body_file = value();
    else if (arg == "--request-id") request_id = value();
    else Usage("unknown argument " + arg);
  }
  if (body_file.empty()) Usage("--body FILE is required");
  std::ifstream in(body_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) Usage("cannot read " + body_file);
  const std::string body = text.str();

  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) Usage("--listen wants HOST:PORT");
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);

  // Stop cleanly on SIGINT/SIGTERM: blocked in every thread (set before any starts), awaited in one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ssm::TunedHttpServer server;
  server.Apply(ssm::HttpTuning{});
  auto handler = [&](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.headers.emplace("Content-Type", "application/x-amz-json-1.1");
    res.headers.emplace("x-amzn-RequestId", request_id);
    res.set_header("Date", ssm::HttpDate());
    res.body = body;
  };
  server.Get(".*", handler);
  server.Post(".*", handler);

  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
    if (bound <= 0) Usage("cannot listen on " + listen);
  } else if (!server.bind_to_port(host, port)) {
    Usage("cannot listen on " + listen);
  }
  if (!server.RaiseBacklog()) std::fprintf(stderr, "ssm-bench-floor: could not raise the listen backlog\n");
  std::printf("listening on %s:%d\n", host.c_str(), bound);
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  bool ok = server.listen_after_bind();
  if (!ok) pthread_kill(waiter.native_handle(), SIGTERM);  // the waiter still blocks in sigwait
  waiter.join();
  return ok ? 0 : 1;
}
