"""Load and hostile input against `serve --mode replay` over the bundled fixtures: 200 concurrent
keep-alive clients are all served correctly; slow clients (headers trickling in byte by byte, a body
never finished) do not block anyone else; oversized headers get 431 and oversized bodies 413; random
bytes on the socket are answered with a 4xx or dropped. After each: /__replay/health is 200, the server
still answers correctly, and the store's data file is byte-identical.

Bounds: every loop is bounded in count and every wait in time; latency bounds are generous (seconds),
only there to tell "served while the slow clients hang" from "served once they went away"."""
import http.client
import json
import random
import re
import socket
import sys
import threading
import time
import unittest

from fixture_tapes import fixture_tapes, invocation_tapes
from harness import ReplayServer, ssm_call, store_digest, wait_until
from procfs import peer_ports, proc_counts

CLIENTS = 200
CALLS_PER_CLIENT = 3
MAX_BODY = 65536
# Served "promptly" while slow clients hang: far above a normal answer (~1 ms), far below the
# server's read timeout (10 s) after which a slow client would be dropped anyway.
PROMPT_S = 5.0


def _terminal_tapes():
    """A GetCommandInvocation tape whose last answer is a 200, and a SendCommand tape (with --order last
    every call gets a tape's last answer, whatever the concurrency)."""
    get = next(t for t in invocation_tapes() if t.answers[-1][0] == 200 and t.answers[-1][1] is not None)
    send = next(t for t in fixture_tapes("SendCommand") if t.answers[-1][0] == 200)
    return get, send


class LoadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ReplayServer("--order", "last", "--max-body", str(MAX_BODY), "--log-level", "warn")
        cls.digest = store_digest(cls.server.store)
        get, send = _terminal_tapes()
        cls.calls = [("GetCommandInvocation", get.params(), get.answers[-1]),
                     ("SendCommand", send.request, send.answers[-1])]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.assertIsNone(self.server.proc.poll(), "the server died in an earlier test")

    def tearDown(self):
        # After every test: alive, healthy, still right, store untouched.
        self.assertIsNone(self.server.proc.poll(), "the server died")
        status, _, _ = self.server.http("GET", "/__replay/health")
        self.assertEqual(status, 200)
        conn = self.connect()
        try:
            self.assert_correct_calls(conn, 2)
        finally:
            conn.close()
        self.assertEqual(store_digest(self.server.store), self.digest, "the store changed")

    def connect(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=timeout)

    def assert_correct_calls(self, conn, n, offset=0):
        for i in range(n):
            action, request, (want_status, want_body) = self.calls[(offset + i) % len(self.calls)]
            status, headers, body = ssm_call(conn, action, request)
            self.assertEqual(status, want_status, body[:300])
            self.assertEqual(json.loads(body), want_body)

    def raw(self, data, read_timeout=10.0, shut_write=False):
        """Sends `data` on a fresh socket; returns (bytes read, timed_out): reading stops at the end of
        the first complete HTTP answer, when the server closes, or after read_timeout (timed_out)."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=read_timeout)
        out = b""
        deadline = time.monotonic() + read_timeout
        try:
            try:
                s.sendall(data)
                if shut_write:
                    s.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server may refuse and close before we finish writing
            while len(out) < 1 << 20:
                if self.complete_answer(out):
                    return out, False
                s.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    return out, True
                except OSError:
                    return out, False  # reset: dropped
                if not chunk:
                    return out, False
                out += chunk
            return out, False
        finally:
            s.close()

    @staticmethod
    def complete_answer(raw):
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            return False
        m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        return m is not None and len(body) >= int(m.group(1))

    @staticmethod
    def parse_answer(raw):
        """(status, headers dict lower-case, body) of the first HTTP answer in `raw`."""
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", len(body)))
        return status, headers, body[:length]

    def assert_aws_error(self, raw, status, error_type):
        self.assertTrue(raw.startswith(b"HTTP/1.1 "), f"no HTTP answer: {raw[:200]!r}")
        got_status, headers, body = self.parse_answer(raw)
        self.assertEqual(got_status, status, raw[:400])
        doc = json.loads(body)
        self.assertEqual(doc.get("__type"), error_type, doc)
        self.assertTrue(doc.get("message"), doc)
        self.assertEqual(headers.get("x-amzn-errortype", "").split(":")[0], error_type)
        return doc

    # ---- tests ---------------------------------------------------------------------------------------

    def test_200_concurrent_keep_alive_clients_all_served(self):
        barrier = threading.Barrier(CLIENTS, timeout=60)
        held = []
        failures = []
        served = [0]
        lock = threading.Lock()

        def at_barrier():
            held.append(proc_counts(self.server.proc.pid))

        def client(n):
            conn = self.connect(timeout=30)
            try:
                self.assert_correct_calls(conn, 1, offset=n)
                # Every client holds its keep-alive connection open here, all at once...
                barrier.wait()
                if n == 0:
                    at_barrier()
                barrier.wait()
                # ...and goes on using the same connection.
                self.assert_correct_calls(conn, CALLS_PER_CLIENT - 1, offset=n + 1)
                with lock:
                    served[0] += 1
            except Exception as e:  # noqa: BLE001 -- every failure is reported below
                with lock:
                    failures.append(f"client {n}: {e!r}")
                barrier.abort()
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        self.assertFalse(any(t.is_alive() for t in threads), "clients still running after 90 s")
        self.assertEqual(failures[:5], [])
        self.assertEqual(served[0], CLIENTS)
        # While all were held, the server had a descriptor per connection.
        threads, fds = held[0]
        sys.stderr.write(f"[while {CLIENTS} clients held: {threads} threads, {fds} fds] ")
        self.assertGreaterEqual(fds, CLIENTS, "the server did not hold every connection at once")

    def test_slow_clients_do_not_block_others(self):
        stop = threading.Event()
        tricklers, unfinished = [], []
        request_head = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                        b"Content-Type: application/x-amz-json-1.1\r\nX-Padding: " + b"p" * 4000 + b"\r\n")

        def trickle(sock):
            # One byte every 50 ms: the headers never end while the test runs (bounded by `stop` and
            # by the length of request_head).
            for i in range(len(request_head)):
                if stop.wait(0.05):
                    return
                try:
                    sock.send(request_head[i:i + 1])
                except OSError:
                    return

        trickle_threads = []
        try:
            for _ in range(10):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=20)
                tricklers.append(s)
                t = threading.Thread(target=trickle, args=(s,), daemon=True)
                t.start()
                trickle_threads.append(t)
            for _ in range(10):
                s = socket.create_connection(("127.0.0.1", self.server.port), timeout=20)
                s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                          b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{\"Comm")
                unfinished.append(s)
            # The slow ones are inside the server: it accepted every one of their connections.
            slow_ports = {s.getsockname()[1] for s in tricklers + unfinished}
            wait_until(lambda: slow_ports <= peer_ports(self.server.pid), 10,
                       lambda: f"the server to accept the slow clients "
                               f"({len(slow_ports - peer_ports(self.server.pid))} of 20 not accepted)")

            # Everyone else: 10 clients x 5 calls, each on a fresh connection, while the slow ones hang.
            latencies, failures = [], []
            lock = threading.Lock()

            def other(n):
                for i in range(5):
                    start = time.monotonic()
                    conn = self.connect(timeout=PROMPT_S * 2)
                    try:
                        self.assert_correct_calls(conn, 1, offset=n + i)
                        with lock:
                            latencies.append(time.monotonic() - start)
                    except Exception as e:  # noqa: BLE001
                        with lock:
                            failures.append(repr(e))
                    finally:
                        conn.close()

            others = [threading.Thread(target=other, args=(n,), daemon=True) for n in range(10)]
            for t in others:
                t.start()
            for t in others:
                t.join(60)
            self.assertEqual(failures, [])
            self.assertEqual(len(latencies), 50)
            self.assertLess(max(latencies), PROMPT_S, "answers waited for the slow clients")
            sys.stderr.write(f"[slowest of 50 answers while 20 slow clients hung: {max(latencies) * 1000:.0f} ms] ")
            self.assertTrue(all(t.is_alive() for t in trickle_threads), "tricklers ended early: not overlapping")

            # The unfinished bodies are dropped after the server's read timeout (10 s): their
            # workers are not held forever. Answered 400/408 or just closed, never a 200.
            for s in unfinished:
                s.settimeout(20)
                data = b""
                try:
                    while True:
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except socket.timeout:
                    self.fail("a client that never finished its body was never dropped")
                except OSError:
                    pass
                if data:
                    self.assertRegex(data[:12], rb"^HTTP/1\.1 4\d\d")
        finally:
            stop.set()
            for s in tricklers + unfinished:
                s.close()
            for t in trickle_threads:
                t.join(5)

    # cpp-httplib 0.11.4 limits one header line to 8192 bytes (CPPHTTPLIB_HEADER_MAX_LENGTH, answering a
    # bare 400) and neither the number nor the total size of header lines: the server maps both to 431.
    def test_header_line_over_8k_refused_with_431(self):
        big_line = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                    b"X-Big: " + b"a" * 16384 + b"\r\nContent-Length: 2\r\n\r\n{}")
        raw, _ = self.raw(big_line)
        self.assert_aws_error(raw, 431, "RequestHeaderFieldsTooLargeException")

    def test_many_header_lines_refused_with_431(self):
        # Each line is ordinary; together far more than any SDK sends (128 KiB).
        many = b"".join(b"X-Many-%d: %s\r\n" % (i, b"b" * 1000) for i in range(128))
        many_lines = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                      + many + b"Content-Length: 2\r\n\r\n{}")
        raw, _ = self.raw(many_lines)
        self.assert_aws_error(raw, 431, "RequestHeaderFieldsTooLargeException")

    def test_request_line_over_8k_refused_with_414(self):
        raw, _ = self.raw(b"GET /" + b"u" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.assert_aws_error(raw, 414, "RequestUriTooLongException")

    def test_oversized_bodies_refused_with_413(self):
        head = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                b"Content-Type: application/x-amz-json-1.1\r\n")
        body = b'{"CommandId": "' + b"c" * MAX_BODY + b'"}'
        # Sent in full.
        raw, _ = self.raw(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        doc = self.assert_aws_error(raw, 413, "RequestEntityTooLargeException")
        self.assertIn(str(MAX_BODY), doc["message"])
        # Announced but never sent: refused from the headers alone, at once rather than after the
        # server's 10 s read timeout, and the connection is closed (the body was not read).
        raw, timed_out = self.raw(head + b"Content-Length: %d\r\n\r\n" % (64 << 30), read_timeout=PROMPT_S)
        self.assertFalse(timed_out, "a body announced over the limit waited for its bytes")
        doc = self.assert_aws_error(raw, 413, "RequestEntityTooLargeException")
        self.assertIn(str(64 << 30), doc["message"])
        self.assertEqual(self.parse_answer(raw)[1].get("connection"), "close")
        # Chunked, with no length announced.
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192])
                           for i in range(0, len(body), 8192)) + b"0\r\n\r\n"
        raw, _ = self.raw(head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked)
        self.assert_aws_error(raw, 413, "RequestEntityTooLargeException")
        # The same body within the limit is read and judged on its content (a miss or a validation
        # error), proving the limit and not something else refused the big one.
        conn = self.connect()
        try:
            status, _, _ = ssm_call(conn, "GetCommandInvocation", body[: MAX_BODY - 200] + b'"}')
            self.assertIn(status, (400, 404))
        finally:
            conn.close()

    def test_random_bytes_answered_or_dropped(self):
        rng = random.Random(20261129)
        prefixes = [b"", b"POST / HTTP/1.1\r\n", b"GET /__replay/health HTTP/1.1\r\nHost: x\r\n",
                    b"POST / HTTP/1.1\r\nContent-Length: 40\r\n\r\n",
                    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"]  # a TLS ClientHello's start
        outcomes = {"answered": 0, "dropped": 0}
        for i in range(60):
            data = prefixes[i % len(prefixes)] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
            if i % 7 == 3:
                data = data.replace(b"\r\n", b"\n")
            raw, timed_out = self.raw(data, read_timeout=12, shut_write=True)
            self.assertFalse(timed_out, f"input {i}: neither answered nor dropped")
            if raw:
                self.assertRegex(raw[:13], rb"^HTTP/1\.[01] 4\d\d ", f"input {i}: {raw[:200]!r}")
                outcomes["answered"] += 1
            else:
                outcomes["dropped"] += 1
            self.assertIsNone(self.server.proc.poll(), f"the server died on input {i}")
        self.assertEqual(sum(outcomes.values()), 60)
        sys.stderr.write(f"[random input: {outcomes}] ")


if __name__ == "__main__":
    unittest.main()
