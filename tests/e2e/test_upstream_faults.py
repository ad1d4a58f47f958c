"""Upstream faults in record mode: an upstream that is too slow (beyond --upstream-timeout), resets the
connection, answers garbage, or sends a truncated body gives the client 504 / 502 with an AWS-shaped
JSON error naming the upstream and the cause (boto3 surfaces it as that error code); nothing is
recorded; and after many faulty calls the server holds no more threads or descriptors than before
(small slack), and the upstream sees no connection left open. Finally a healthy upstream is recorded
again, so the faults left nothing wedged."""
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import unittest

import botocore.exceptions

from harness import ServeProcess, run_tool, ssm_call, ssm_client, store_digest, wait_until
from procfs import proc_counts
from server_log import log_lines_at
from upstreams import FaultyUpstream, operator_env

TIMEOUT_S = 1
COMMAND_ID = "0f1e2d3c-4b5a-4697-8877-665544332211"
INSTANCE = "i-0123456789abcdef0"
REQUEST = {"CommandId": COMMAND_ID, "InstanceId": INSTANCE}

# behaviour -> (HTTP status, __type, words the message must contain besides the upstream URL)
EXPECTED = {
    "slow": (504, "UpstreamTimeoutException", ["--upstream-timeout"]),
    "reset": (502, "UpstreamUnreachableException", ["reset"]),
    "garbage": (502, "UpstreamUnreachableException", ["malformed"]),
    "truncated": (502, "UpstreamUnreachableException", ["truncated"]),
}
SLACK_THREADS = 4
SLACK_FDS = 4


class UpstreamFaultsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ssm-e2e-faults-")
        cls.store = os.path.join(cls.dir, "store")
        cls.upstream = FaultyUpstream(slow_s=30)
        cls.proxy = ServeProcess(cls.store, "record", "--upstream", cls.upstream.url, "--upstream-timeout",
                                 str(TIMEOUT_S), "--log-level", "info", env=operator_env())
        cls.digest = store_digest(cls.store)

    @classmethod
    def tearDownClass(cls):
        cls.proxy.cleanup()
        cls.upstream.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def call(self, conn=None):
        own = conn is None
        conn = conn or self.proxy.connection(timeout=TIMEOUT_S + 20)
        try:
            return ssm_call(conn, "GetCommandInvocation", REQUEST)
        finally:
            if own:
                conn.close()

    def assert_fault_answer(self, behaviour, answer):
        status, headers, body = answer
        want_status, want_type, words = EXPECTED[behaviour]
        self.assertEqual(status, want_status, body[:300])
        self.assertTrue(headers.get("content-type", "").startswith("application/x-amz-json-1.1"))
        self.assertEqual(headers.get("x-amzn-errortype", "").split(":")[0], want_type)
        self.assertTrue(headers.get("x-amzn-requestid"))
        doc = json.loads(body)
        self.assertEqual(doc.get("__type"), want_type)
        message = doc.get("message", "")
        self.assertIn(self.upstream.url, message, "the error does not name the upstream")
        for word in words:
            self.assertIn(word, message, f"the {behaviour} error does not say why")

    def assert_nothing_recorded(self):
        self.assertEqual(store_digest(self.store), self.digest, "a failed call changed the store")
        listed = run_tool("list", "--store", self.store, "--json")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual(json.loads(listed.stdout or "[]"), [], "a failed call left a tape")

    def run_many(self, behaviour, clients, calls_each):
        """`clients` concurrent keep-alive clients, `calls_each` calls each, all expected to fail as
        `behaviour` says. Returns the failures (empty when every answer was right)."""
        self.upstream.behaviour = behaviour
        failures = []
        lock = threading.Lock()

        def client():
            conn = self.proxy.connection(timeout=TIMEOUT_S + 20)
            try:
                for _ in range(calls_each):
                    try:
                        self.assert_fault_answer(behaviour, self.call(conn))
                    except (AssertionError, OSError, http.client.HTTPException) as e:
                        with lock:
                            failures.append(f"{behaviour}: {e}")
                        return
            finally:
                conn.close()

        threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertFalse(any(t.is_alive() for t in threads), f"{behaviour}: clients hung")
        return failures

    def test_1_each_fault_gives_a_clear_aws_error_and_records_nothing(self):
        for behaviour in ("slow", "reset", "garbage", "truncated"):
            with self.subTest(behaviour=behaviour):
                self.upstream.behaviour = behaviour
                before = self.upstream.requests
                self.assert_fault_answer(behaviour, self.call())
                self.assertGreater(self.upstream.requests, before, "the call never reached the upstream")
                # A real SDK sees the same error code (and does not retry: max_attempts 1).
                client = ssm_client(self.proxy.url)
                with self.assertRaises(botocore.exceptions.ClientError) as caught:
                    client.get_command_invocation(**REQUEST)
                error = caught.exception.response
                self.assertEqual(error["Error"]["Code"], EXPECTED[behaviour][1])
                self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], EXPECTED[behaviour][0])
                self.assert_nothing_recorded()
        self.assertIsNone(self.proxy.proc.poll())
        # Logged, naming the cause, at warn level (the log is written asynchronously).
        self.proxy.wait_for_stderr(lambda log: any("not recorded" in line for line in log_lines_at(log, "warn")),
                                   what="a warning saying the call was not recorded")

    def test_2_many_faulty_calls_leak_no_thread_or_connection(self):
        pid = self.proxy.pid
        # Warm-up with the same concurrency: the worker pool grows to its working size here.
        for behaviour in ("reset", "garbage", "truncated"):
            self.assertEqual(self.run_many(behaviour, 8, 2), [])
        self.assertEqual(self.run_many("slow", 8, 1), [])
        wait_until(lambda: self.upstream.open_connections() == 0, 10, "the warm-up's upstream connections to close")
        threads0, fds0 = proc_counts(pid)

        for behaviour in ("reset", "garbage", "truncated"):
            self.assertEqual(self.run_many(behaviour, 8, 15), [])
        slow_closed = self.upstream.closed_by_peer
        self.assertEqual(self.run_many("slow", 8, 2), [])
        # The proxy itself closed each timed-out upstream connection (the upstream would wait 30 s).
        wait_until(lambda: self.upstream.closed_by_peer - slow_closed == 16, 5,
                   lambda: f"the proxy to close 16 timed-out upstream connections (closed "
                           f"{self.upstream.closed_by_peer - slow_closed})")
        for behaviour in ("reset", "garbage", "truncated"):
            self.assertEqual(self.run_many(behaviour, 8, 5), [])

        def settled():
            threads, fds = proc_counts(pid)
            return threads <= threads0 + SLACK_THREADS and fds <= fds0 + SLACK_FDS

        def counts():
            threads1, fds1 = proc_counts(pid)
            return (f"threads {threads0} -> {threads1}, descriptors {fds0} -> {fds1} after "
                    f"~{self.upstream.requests} faulty upstream calls")

        wait_until(settled, 10, lambda: f"the server to settle ({counts()})")
        sys.stderr.write(f"[{counts()}] ")
        # The proxy closed every upstream connection it opened (the slow ones after its timeout).
        wait_until(lambda: self.upstream.open_connections() == 0, 10,
                   lambda: f"upstream connections to close ({self.upstream.open_connections()} left open)")
        self.assert_nothing_recorded()

    def test_3_healthy_again_after_faults(self):
        self.upstream.behaviour = "ok"
        status, _, body = self.call()
        self.assertEqual(status, 200, body[:300])
        self.assertEqual(json.loads(body)["Status"], "Success")
        listed = run_tool("list", "--store", self.store, "--json")
        self.assertEqual(len(json.loads(listed.stdout)), 1, "the healthy answer was not recorded")


if __name__ == "__main__":
    unittest.main()
