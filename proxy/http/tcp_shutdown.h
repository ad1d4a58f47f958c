// ShutdownTcpConnection: ends one TCP connection of this process, found by its addresses, without
// closing its descriptor, so the peer sees the connection closed with no answer (fault injection's
// `reset`).
//
// Why by addresses: cpp-httplib 0.11 gives request handlers the connection's addresses
// (Request::local_addr/local_port/remote_addr/remote_port) but not its socket, and the socket-owning
// loop is private. So the socket is looked up among the process's descriptors (/proc/self/fd, Linux):
// a connected socket is the only one with that (local, peer) address pair. Only shutdown(2) is
// called, never close(2): the owner (cpp-httplib) keeps its descriptor, its next write fails and it
// closes the socket as usual, so no descriptor is closed twice or reused under it. Costs a few
// syscalls per open descriptor: fine for an injected fault, not for every request.
#ifndef SSM_REPLAY_PROXY_HTTP_TCP_SHUTDOWN_H_
#define SSM_REPLAY_PROXY_HTTP_TCP_SHUTDOWN_H_

#include <string>

#include "store/status.h"

namespace ssm {

// Addresses are numeric, as getnameinfo(NI_NUMERICHOST) prints them ("127.0.0.1", "::1").
// NotFound when no socket of this process has that pair; IOError when shutdown fails.
Status ShutdownTcpConnection(const std::string& local_ip, int local_port, const std::string& peer_ip,
                             int peer_port);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_TCP_SHUTDOWN_H_
