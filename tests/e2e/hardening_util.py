"""Helpers for the hardening end-to-end tests (test_crash_safety, test_load, test_upstream_faults,
test_security).

  * ServeProcess: build/ssm-replay serve on any listen address (0.0.0.0 included: bound only, tests
    connect via 127.0.0.1), its stdout and stderr kept in files so every log line can be scanned, and
    stop by SIGTERM or SIGKILL.
  * FastUpstream: a quick SSM look-alike (no signature check) whose every answer carries a unique
    request id, in the x-amzn-RequestId header and in the body, so a client's answer can be found on
    tape.
  * FaultyUpstream: a raw TCP upstream that misbehaves on purpose: slow, reset, garbage, truncated.
  * proc_counts(), listening_sockets(): threads, descriptors and bound addresses of a process (/proc).
  * ssm_call(): one raw SSM call on an http.client connection.

Everything listens on 127.0.0.1 only (except a server under test explicitly bound to 0.0.0.0, which is
never connected to through anything but loopback). Every wait is bounded.
"""
import http.client
import http.server
import itertools
import json
import os
import re
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

from upstreams import BIN, clean_env

SSM_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}


def ssm_call(conn, action, body, extra_headers=None):
    """One SSM call on an open http.client connection (kept alive): (status, headers, body bytes)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = dict(SSM_HEADERS, **{"X-Amz-Target": f"AmazonSSM.{action}"})
    headers.update(extra_headers or {})
    conn.request("POST", "/", body=data, headers=headers)
    r = conn.getresponse()
    payload = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, payload


def http_get(port, path, headers=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


# ---- the server under test ---------------------------------------------------------------------------

class ServeProcess:
    """`ssm-replay serve --store STORE --mode MODE --listen LISTEN ARGS...`. The port is read from its
    "listening on HOST:PORT" line; stdout and stderr go to files (read with output())."""

    def __init__(self, store, mode, *args, listen="127.0.0.1:0", env=None, timeout=30.0):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-hard-serve-")
        self.out_path = os.path.join(self.dir, "stdout")
        self.err_path = os.path.join(self.dir, "stderr")
        self._out = open(self.out_path, "wb")
        self._err = open(self.err_path, "wb")
        cmd = [BIN, "serve", "--store", store, "--mode", mode, *args]
        if listen is not None:
            cmd += ["--listen", listen]
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=self._err,
                                     env=env if env is not None else clean_env())
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        self.host = self.port = None
        while time.monotonic() < deadline:
            m = re.search(r"^listening on (\S+):(\d+)$", self.stdout(), re.M)
            if m:
                self.host, self.port = m.group(1).strip("[]"), int(m.group(2))
                break
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        if self.port is None:
            self.stop()
            raise RuntimeError(f"serve did not start (exit {self.proc.returncode}): {self.output()!r}")
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait_port(deadline)

    def _wait_port(self, deadline):
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.output()!r}")
                time.sleep(0.02)
        raise RuntimeError(f"serve never accepted on 127.0.0.1:{self.port}")

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def output(self):
        return self.stdout() + self.stderr()

    def wait_for_stderr(self, pattern, timeout=10.0):
        """stderr once it matches `pattern` (the log is written asynchronously), or as it is at timeout."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.stderr()
            if re.search(pattern, text) or time.monotonic() > deadline:
                return text
            time.sleep(0.05)

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def kill(self):
        """SIGKILL: no shutdown code runs at all."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self._close_files()
        return self.proc.returncode

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL if it does not stop in time. Returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._close_files()
        return self.proc.returncode

    def _close_files(self):
        for f in (self._out, self._err):
            if not f.closed:
                f.close()

    def cleanup(self):
        self.stop()
        for p in (self.out_path, self.err_path):
            try:
                os.unlink(p)
            except OSError:
                pass
        try:
            os.rmdir(self.dir)
        except OSError:
            pass


# ---- /proc -------------------------------------------------------------------------------------------

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


def listening_sockets(pid):
    """[(ip, port)] of the TCP sockets process `pid` listens on (from /proc/net/tcp and tcp6)."""
    inodes = socket_inodes(pid)
    out = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            with open(table) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > 9 and cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                out.append(_decode_addr(cols[1], v6))
    return out


def wait_until(predicate, timeout, interval=0.05):
    """Polls `predicate` until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


# ---- upstreams ---------------------------------------------------------------------------------------

class _QuietThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a proxy killed mid-request resets its connections: not an error here


class FastUpstream:
    """An SSM look-alike on loopback, quick and signature-blind, for load through the record proxy.

    GetCommandInvocation: the n-th call for a (CommandId, InstanceId) answers 400
    InvocationDoesNotExist (n = 0), then Pending, InProgress, Success (repeated). SendCommand: a
    Command with a fresh CommandId. Every answer, errors included, carries a unique request id in the
    x-amzn-RequestId header and in the body ("message" or "StandardOutputContent"/"Comment")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seq = itertools.count(1)
        self.calls = {}
        self.count = 0
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # head and body are separate writes: no 40 ms ACK wait

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                action = self.headers.get("X-Amz-Target", "").replace("AmazonSSM.", "")
                status, payload, rid = upstream.answer(action, json.loads(body or b"{}"))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", rid)
                if status >= 400:
                    self.send_header("x-amzn-ErrorType", payload["__type"])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = _QuietThreadingServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()

    def answer(self, action, body):
        with self.lock:
            rid = f"rid-{next(self.seq):08d}"
            self.count += 1
            k = (action, body.get("CommandId"), body.get("InstanceId"), json.dumps(body, sort_keys=True))
            n = self.calls.get(k, 0)
            self.calls[k] = n + 1
        if action == "GetCommandInvocation":
            if n == 0:
                return 400, {"__type": "InvocationDoesNotExist", "message": f"no invocation yet ({rid})"}, rid
            status = ["Pending", "InProgress", "Success"][min(n - 1, 2)]
            return 200, {"CommandId": body.get("CommandId"), "InstanceId": body.get("InstanceId"),
                         "Comment": "", "DocumentName": "AWS-RunShellScript",
                         "PluginName": "aws:runShellScript", "ResponseCode": 0 if status == "Success" else -1,
                         "Status": status, "StatusDetails": status, "StandardOutputContent": rid,
                         "StandardErrorContent": ""}, rid
        if action == "SendCommand":
            command_id = f"{int(rid[4:]):08x}-0000-4000-8000-000000000000"
            return 200, {"Command": {"CommandId": command_id, "DocumentName": body.get("DocumentName"),
                                     "InstanceIds": body.get("InstanceIds", []), "Status": "Pending",
                                     "Comment": rid, "Parameters": body.get("Parameters", {})}}, rid
        return 400, {"__type": "InvalidAction", "message": f"unknown action {action} ({rid})"}, rid

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FaultyUpstream:
    """A raw TCP 'upstream' on loopback that reads each request and then misbehaves as `behaviour`
    says (settable at any time):

      slow       answers nothing until the proxy closes the connection (at most `slow_s` seconds)
      reset      closes with an RST (SO_LINGER 0) without answering
      garbage    writes bytes that are not HTTP, then closes
      truncated  a 200 head announcing Content-Length 4096, 100 bytes of body, then closes
      ok         a valid 200 SSM answer (Connection: close)

    `open_connections()` counts connections not yet closed on this side; `accepted` counts all."""

    BEHAVIOURS = ("slow", "reset", "garbage", "truncated", "ok")

    def __init__(self, behaviour="ok", slow_s=30.0):
        self.behaviour = behaviour
        self.slow_s = slow_s
        self.lock = threading.Lock()
        self.accepted = 0
        self.open = 0
        self.requests = 0
        self.closed_by_peer = 0  # slow connections the proxy closed while waiting
        self.stopping = threading.Event()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def open_connections(self):
        with self.lock:
            return self.open

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.open += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn):
        """Reads one request (head and Content-Length body); False when the peer closed first."""
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in data:
            if time.monotonic() > deadline:
                return False
            chunk = conn.recv(65536)
            if not chunk:
                return False
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        need = int(m.group(1)) if m else 0
        while len(rest) < need and time.monotonic() < deadline:
            chunk = conn.recv(65536)
            if not chunk:
                return False
            rest += chunk
        return True

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            while not self.stopping.is_set():
                if not self._read_request(conn):
                    return
                with self.lock:
                    self.requests += 1
                behaviour = self.behaviour
                if behaviour == "slow":
                    # Answers nothing; ends when the proxy gives up and closes (or after slow_s).
                    conn.settimeout(0.05)
                    deadline = time.monotonic() + self.slow_s
                    while time.monotonic() < deadline and not self.stopping.is_set():
                        try:
                            if conn.recv(65536) == b"":
                                with self.lock:
                                    self.closed_by_peer += 1
                                return
                        except socket.timeout:
                            continue
                    return
                if behaviour == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if behaviour == "garbage":
                    conn.sendall(b"\x16\x03\x01 this is not HTTP at all \xff\xfe\x00\r\n\r\n")
                    return
                if behaviour == "truncated":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                                 b"x-amzn-RequestId: truncated-1\r\nContent-Length: 4096\r\n\r\n"
                                 + b'{"Status": "Success", "StandardOutputContent": "' + b"x" * 52)
                    return
                body = b'{"Status": "Success", "StandardOutputContent": "ok"}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                             b"x-amzn-RequestId: ok-1\r\nConnection: close\r\n"
                             + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
                return
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.open -= 1

    def stop(self):
        self.stopping.set()
        self.sock.close()
        self.thread.join(5)
