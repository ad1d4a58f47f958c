#include "proxy/http/tcp_shutdown.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

int Port(int fd, bool peer) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  REQUIRE(rc == 0);
  return ntohs(addr.sin_port);
}

// A loopback connection: the listening socket, the client end and the accepted (server) end.
struct Connection {
  int listener = -1, client = -1, server = -1;
  Connection() {
    listener = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(listener, 4) == 0);
    addr.sin_port = htons(static_cast<uint16_t>(Port(listener, false)));
    client = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    server = accept(listener, nullptr, nullptr);
    REQUIRE(server >= 0);
  }
  ~Connection() {
    for (int fd : {listener, client, server}) close(fd);
  }
};

TEST_CASE("tcp shutdown ends the connection found by its addresses, without closing the descriptor",
          "[tcp_shutdown]") {
  Connection c;
  Connection other;
  REQUIRE(send(c.client, "POST / HTTP/1.1\r\n", 17, 0) == 17);

  Status s = ShutdownTcpConnection("127.0.0.1", Port(c.server, false), "127.0.0.1", Port(c.server, true));
  REQUIRE(s.ok());

  char buf[64];
  CHECK(recv(c.client, buf, sizeof(buf), 0) <= 0);    // closed (FIN or RST), no byte of an answer
  CHECK(fcntl(c.server, F_GETFD) != -1);              // still open for its owner
  CHECK(send(c.server, "x", 1, MSG_NOSIGNAL) == -1);  // whose writes now fail

  // The other connection is untouched.
  REQUIRE(send(other.server, "ok", 2, MSG_NOSIGNAL) == 2);
  CHECK(recv(other.client, buf, sizeof(buf), 0) == 2);
}

TEST_CASE("tcp shutdown: NotFound for addresses no connection has", "[tcp_shutdown]") {
  Connection c;
  Status s = ShutdownTcpConnection("127.0.0.1", Port(c.server, false), "127.0.0.1", Port(c.server, true) ^ 1);
  CHECK(s.IsNotFound());
  CHECK_THAT(s.message(), Catch::Contains("no open connection"));
  // The listening socket has that local address but no peer: never matched.
  CHECK(ShutdownTcpConnection("127.0.0.1", Port(c.listener, false), "0.0.0.0", 0).IsNotFound());
  char buf[4];
  REQUIRE(send(c.server, "ok", 2, MSG_NOSIGNAL) == 2);
  CHECK(recv(c.client, buf, sizeof(buf), 0) == 2);
}

}  // namespace
}  // namespace ssm
