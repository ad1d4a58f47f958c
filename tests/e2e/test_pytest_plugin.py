"""The pytest plugin (tools/python/ssm_replay/pytest_plugin.py) run as a user runs it: Debian's pytest
(python3-pytest) under the Python that has boto3, through `python3 -m ssm_replay.run_pytest`.

  * the example suite (tests/pytest_plugin/example_suite, >= 20 tests polling the same tapes) as 4
    pytest processes at once against one server: every test of every process passes, each in a session
    of its own, and no session is left behind;
  * the same suite with the plugin starting (and stopping) the server itself (--ssm-replay-store);
  * in record and auto modes, a failed test's recording is discarded and a passed test's kept;
  * usage errors name the options to use."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import BIN, FIXTURES, ReplayServer, ServeProcess, clean_env, export_tapes, import_fixtures
from server_log import access_entries
from upstreams import FastUpstream, operator_env

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tools", "python"))
from ssm_replay import Admin  # noqa: E402

SUITES = os.path.join(REPO, "tests", "pytest_plugin")
EXAMPLE_SUITE = os.path.join(SUITES, "example_suite")
FAILING_SUITE = os.path.join(SUITES, "failing_suite")
PROCESSES = 4
MIN_TESTS = 20
SUMMARY = re.compile(r"^=* ?(.*\b(?:passed|failed|error|errors)\b.*?) ?=*$", re.MULTILINE)


def pytest_command(*args):
    return [sys.executable, "-m", "ssm_replay.run_pytest", "-p", "ssm_replay.pytest_plugin", "-q", *args]


def pytest_env():
    return clean_env(PYTHONPATH=os.path.join(REPO, "tools", "python"), PYTHONDONTWRITEBYTECODE="1",
                     SSM_FIXTURES_DIR=FIXTURES)


def run_pytest(*args, timeout=240):
    return subprocess.run(pytest_command(*args), capture_output=True, text=True, timeout=timeout, env=pytest_env())


def counts(output):
    """{"passed": N, "failed": N, ...} from pytest's closing line."""
    lines = SUMMARY.findall(output)
    if not lines:
        raise AssertionError(f"no pytest summary line in: {output[-3000:]}")
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", lines[-1])}


def serve_processes_over(store):
    """Pids of processes whose command line names `store` (a serve the plugin may have left running)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if store.encode() in f.read().split(b"\0"):
                    pids.append(int(pid))
        except OSError:
            pass  # exited meanwhile
    return pids


class PytestPluginTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ssm-e2e-pytest-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def assert_all_passed(self, proc, at_least=MIN_TESTS):
        # Warnings (e.g. a library's deprecation) are not results.
        found = {word: n for word, n in counts(proc.stdout).items() if not word.startswith("warning")}
        self.assertEqual(proc.returncode, 0, proc.stdout[-5000:] + proc.stderr[-2000:])
        self.assertEqual(set(found), {"passed"}, proc.stdout[-5000:])
        self.assertGreaterEqual(found["passed"], at_least)
        return found["passed"]

    def test_four_processes_share_one_server(self):
        with ReplayServer() as server:
            procs = [subprocess.Popen(pytest_command("--ssm-replay-url", server.url, EXAMPLE_SUITE),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=pytest_env())
                     for _ in range(PROCESSES)]
            results = []
            for proc in procs:
                out, err = proc.communicate(timeout=240)
                results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
            passed = [self.assert_all_passed(r) for r in results]
            self.assertEqual(len(set(passed)), 1, passed)
            # Every test (each makes calls) of every process had a session of its own; the plugin deleted each.
            log = server.wait_for_stderr(lambda text: len(self.sessions_in(text)) >= PROCESSES * passed[0],
                                         what="an access-log line of every test's session")
            self.assertEqual(len(self.sessions_in(log)), PROCESSES * passed[0])
            left = [s["name"] for s in Admin(server.url).sessions()["sessions"] if s["name"] not in ("", "default")]
            self.assertEqual(left, [])

    @staticmethod
    def sessions_in(log):
        return {e["session"] for e in access_entries(log) if e.get("session") not in (None, "", "default")}

    def test_plugin_starts_and_stops_its_own_server(self):
        store = os.path.join(self.tmp, "store")
        import_fixtures(store)
        proc = run_pytest("--ssm-replay-store", store, "--ssm-replay-bin", BIN, EXAMPLE_SUITE)
        self.assert_all_passed(proc)
        self.assertEqual(serve_processes_over(store), [], "the plugin's server outlived pytest")

    def test_failed_test_leaves_no_recording(self):
        for mode in ("auto", "record"):
            with self.subTest(mode=mode):
                store = os.path.join(self.tmp, f"store-{mode}")
                upstream = FastUpstream()
                self.addCleanup(upstream.stop)
                with ServeProcess(store, mode, "--upstream", upstream.url, env=operator_env()) as server:
                    # No --ssm-replay-mode: the plugin asks the server's health for it.
                    proc = run_pytest("--ssm-replay-url", server.url, FAILING_SUITE)
                    found = counts(proc.stdout)
                    self.assertEqual((found.get("failed"), found.get("passed")), (1, 1), proc.stdout[-5000:])
                    self.assertIn("fails on purpose", proc.stdout)
                    self.assertEqual(upstream.count, 2, "each test's call went to the upstream")
                tapes = export_tapes(store)
                self.assertEqual([t["key"]["InstanceId"] for t in tapes.values()], ["i-0000000000000000a"])

    def test_usage_errors_name_the_options(self):
        both = run_pytest("--ssm-replay-store", self.tmp, "--ssm-replay-url", "http://127.0.0.1:9", EXAMPLE_SUITE)
        self.assertEqual(both.returncode, 4, both.stderr)
        self.assertIn("not both", both.stderr)
        bad_mode = run_pytest("--ssm-replay-mode", "playback", EXAMPLE_SUITE)
        self.assertEqual(bad_mode.returncode, 4, bad_mode.stderr)
        self.assertIn("replay", bad_mode.stderr)
        neither = run_pytest(os.path.join(EXAMPLE_SUITE, "test_polls.py"))
        self.assertEqual(neither.returncode, 1, neither.stdout[-3000:])
        self.assertIn("needs --ssm-replay-store DIR", neither.stdout)
        self.assertNotIn("passed", counts(neither.stdout))


if __name__ == "__main__":
    unittest.main()
