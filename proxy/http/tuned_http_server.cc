#include "proxy/http/tuned_http_server.h"

#include <sys/socket.h>
#include <time.h>

#include "proxy/http/elastic_pool.h"

namespace ssm {

void TunedHttpServer::Apply(const HttpTuning& tuning) {
  size_t min_threads = tuning.min_threads, max_threads = tuning.max_threads;
  new_task_queue = [min_threads, max_threads] { return new ElasticPool(min_threads, max_threads); };
  set_tcp_nodelay(true);
  set_keep_alive_max_count(1000000);
  set_keep_alive_timeout(tuning.keep_alive_timeout_s);
  set_read_timeout(tuning.read_timeout_s, 0);
  set_write_timeout(tuning.write_timeout_s, 0);
  set_payload_max_length(tuning.max_body);
  // cpp-httplib's default also sets SO_REUSEPORT, which lets a second server bind the same port and
  // take half its connections (each with its own cursors). SO_REUSEADDR alone still allows a restart
  // while old connections linger in TIME_WAIT, but refuses a port another socket listens on.
  set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
}

// Linux lets listen() be called again on a listening socket to raise its backlog; the socket is a
// protected member of httplib::Server, hence the subclass.
bool TunedHttpServer::RaiseBacklog() {
  socket_t fd = svr_sock_;
  return fd != INVALID_SOCKET && ::listen(fd, SOMAXCONN) == 0;
}

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

}  // namespace ssm
