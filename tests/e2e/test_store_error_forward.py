"""serve --on-store-error (issue 14): the store fills up mid-run under load (a file-size limit on the
server process stands for a full disk: its writes past the limit fail with EFBIG). With `forward` no client
call fails, the failures are logged and counted, /__replay/health says degraded, and every tape that was
committed verifies afterwards; with `fail` (the default) a call whose answer cannot be recorded gets an
AWS-shaped error instead of an answer that is not on tape.
"""
import concurrent.futures
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
import unittest
import urllib.request

from fake_aws_services import CheckingUpstream, Issuer, isolated_env, ssm_client
from harness import BIN

KEY, SECRET = "AKIASTOREERRORTEST01", "store-error-secret-000000000000000000000"
LIMIT_BYTES = 2 * 1024 * 1024


def big_output(body, n):
    """A GetCommandInvocation answer with 64 KB of incompressible output, so the store fills quickly."""
    noise = os.urandom(48 * 1024).hex()[: 64 * 1024]
    return 200, {"CommandId": body["CommandId"], "InstanceId": body["InstanceId"], "Comment": "",
                 "DocumentName": "AWS-RunShellScript", "PluginName": "aws:runShellScript", "ResponseCode": 0,
                 "Status": "Success", "StatusDetails": "Success", "StandardOutputContent": noise,
                 "StandardErrorContent": ""}


def limit_file_size():
    """In the child: writes past LIMIT_BYTES fail with EFBIG instead of killing it with SIGXFSZ."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT_BYTES, LIMIT_BYTES))


class StoreErrorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-store-full-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.store = os.path.join(self.dir, "store")
        self.issuer = Issuer()
        self.issuer.register(KEY, SECRET)
        self.upstream = CheckingUpstream(self.issuer)
        self.upstream.ANSWERS = dict(CheckingUpstream.ANSWERS, GetCommandInvocation=big_output)
        self.addCleanup(self.upstream.stop)

    def serve(self, *args):
        env = isolated_env(self.dir, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
        # stderr goes to a pipe, not a file: the size limit applies to every file the server writes.
        proc = subprocess.Popen([BIN, "serve", "--store", self.store, "--mode", "record", "--listen", "127.0.0.1:0",
                                 "--upstream", self.upstream.url, "--no-fsync", *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                preexec_fn=limit_file_size)
        proc.stderr_lines = []
        proc.drain = threading.Thread(target=lambda: proc.stderr_lines.extend(proc.stderr), daemon=True)
        proc.drain.start()  # a full pipe would block the server's logging
        self.addCleanup(self.stop, proc)
        line = proc.stdout.readline()
        m = re.match(r"listening on 127\.0\.0\.1:(\d+)$", line.strip())
        self.assertIsNotNone(m, f"serve did not start: {line!r}")
        return proc, f"http://127.0.0.1:{m.group(1)}"

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.drain.join(20)
        proc.stdout.close()
        proc.stderr.close()
        return "".join(proc.stderr_lines)

    def load(self, url, calls):
        """`calls` GetCommandInvocation calls on distinct keys from 4 threads; (answered, failures)."""
        def one(i):
            client = ssm_client(url)
            try:
                client.get_command_invocation(CommandId="11111111-2222-3333-4444-%012d" % i,
                                              InstanceId="i-0123456789abcdef0")
                return None
            except Exception as e:  # noqa: BLE001 - collected and reported
                return repr(e)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(one, range(calls)))
        failures = [r for r in results if r is not None]
        return len(results) - len(failures), failures

    def health(self, url):
        return json.loads(urllib.request.urlopen(url + "/__replay/health", timeout=10).read())

    def test_forward_answers_every_call_when_the_store_fills_up(self):
        proc, url = self.serve("--on-store-error", "forward")
        answered, failures = self.load(url, 120)
        self.assertEqual(failures, [])
        self.assertEqual(answered, 120)
        health = self.health(url)
        self.assertEqual(health["status"], "degraded", "120 x 64 KB cannot fit in 2 MB")
        self.assertGreater(health["store_errors"], 0)
        metrics = urllib.request.urlopen(url + "/__replay/metrics", timeout=10).read().decode()
        self.assertRegex(metrics, r"ssm_replay_store_errors_total [1-9]")
        err = self.stop(proc)
        self.assertIn("--on-store-error forward", err)
        self.assertNotIn(SECRET, err)
        verify = subprocess.run([BIN, "verify", "--store", self.store], capture_output=True, text=True, timeout=120,
                                env=isolated_env(self.dir))
        self.assertEqual(verify.returncode, 0, verify.stderr)

    def test_fail_answers_an_error_instead_of_an_unrecorded_answer(self):
        proc, url = self.serve()
        _, failures = self.load(url, 120)
        self.assertTrue(failures, "some answers must have been withheld once the store was full")
        self.assertTrue(all("RecordFailedException" in f for f in failures), failures[:3])
        self.assertEqual(self.health(url)["status"], "degraded")
        self.stop(proc)


if __name__ == "__main__":
    unittest.main()
