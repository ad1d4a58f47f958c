"""What /proc says about a process: its threads and descriptors, and its TCP sockets (read from the
process's own /proc/PID/net tables, so a server in another network namespace is seen as it is)."""
import os
import re
import socket

LISTEN = "0A"  # TCP states in /proc/net/tcp


def proc_counts(pid):
    """(threads, open descriptors) of process `pid`."""
    return len(os.listdir(f"/proc/{pid}/task")), len(os.listdir(f"/proc/{pid}/fd"))


def socket_inodes(pid):
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]$", target)
        if m:
            inodes.add(m.group(1))
    return inodes


def _decode_addr(hex_addr, v6):
    ip_hex, port_hex = hex_addr.split(":")
    raw = bytes.fromhex(ip_hex)
    if v6:  # four little-endian 32-bit words
        raw = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
        ip = socket.inet_ntop(socket.AF_INET6, raw)
    else:
        ip = socket.inet_ntop(socket.AF_INET, raw[::-1])
    return ip, int(port_hex, 16)


def tcp_sockets(pid):
    """[(state, (local ip, port), (remote ip, port))] of the TCP sockets process `pid` holds."""
    inodes = socket_inodes(pid)
    out = []
    for table, v6 in (("tcp", False), ("tcp6", True)):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > 9 and cols[9] in inodes:
                out.append((cols[3], _decode_addr(cols[1], v6), _decode_addr(cols[2], v6)))
    return out


def listening_sockets(pid):
    """[(ip, port)] of the TCP sockets process `pid` listens on."""
    return [local for state, local, _ in tcp_sockets(pid) if state == LISTEN]


def peer_ports(pid):
    """The remote ports of the connected TCP sockets process `pid` holds: a client connection whose
    local port is among them has been accepted by that process."""
    return {remote[1] for state, _, remote in tcp_sockets(pid) if state != LISTEN}
