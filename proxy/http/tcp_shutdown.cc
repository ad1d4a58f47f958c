#include "proxy/http/tcp_shutdown.h"

#include <dirent.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace ssm {
namespace {

// The numeric host and port of `addr`, as cpp-httplib prints them.
bool Numeric(const sockaddr_storage& addr, socklen_t len, std::string* ip, int* port) {
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof(host), serv, sizeof(serv),
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return false;
  }
  *ip = host;
  *port = std::atoi(serv);
  return true;
}

bool Matches(int fd, const std::string& local_ip, int local_port, const std::string& peer_ip, int peer_port) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return false;
  sockaddr_storage addr;
  socklen_t len = sizeof(addr);
  std::string ip;
  int port = 0;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || !Numeric(addr, len, &ip, &port) ||
      port != local_port || ip != local_ip) {
    return false;
  }
  len = sizeof(addr);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || !Numeric(addr, len, &ip, &port)) {
    return false;  // e.g. the listening socket: no peer
  }
  return port == peer_port && ip == peer_ip;
}

}  // namespace

Status ShutdownTcpConnection(const std::string& local_ip, int local_port, const std::string& peer_ip,
                             int peer_port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr)
    return Status::IOError(std::string("cannot list /proc/self/fd: ") + std::strerror(errno));
  int own = dirfd(dir);
  int found = -1;
  while (struct dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    if (Matches(static_cast<int>(fd), local_ip, local_port, peer_ip, peer_port)) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  std::string what =
      peer_ip + ":" + std::to_string(peer_port) + " -> " + local_ip + ":" + std::to_string(local_port);
  if (found < 0) return Status::NotFound("no open connection " + what);
  if (shutdown(found, SHUT_RDWR) != 0) {
    return Status::IOError("shutdown of connection " + what + " failed: " + std::strerror(errno));
  }
  return Status::OK();
}

}  // namespace ssm
