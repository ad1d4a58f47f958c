"""Running `ssm-replay serve` for a test run: on a free loopback port (--listen 127.0.0.1:0; the port
is read from the "listening on HOST:PORT" line serve prints on stdout once bound), until stop().

Its stdout and stderr (one JSON object per line) go to files in a private temp dir, kept when the
server failed to start or died, so that the message says where to look."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

from .admin import Admin, AdminError

LISTENING = re.compile(r"listening on (\[[^\]\s]+\]|[^\s:\"\[]+):(\d+)")
_REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))


def default_binary():
    """$SSM_REPLAY_BIN, else build/ssm-replay of the checkout this package lives in."""
    return os.environ.get("SSM_REPLAY_BIN") or os.path.join(_REPO, "build", "ssm-replay")


class ServerError(Exception):
    pass


class Server:
    """`BINARY serve --store STORE --mode MODE --listen 127.0.0.1:0 EXTRA_ARGS...`, started at
    construction; `url` is its base URL. Use as a context manager, or call stop()."""

    def __init__(self, store, mode="replay", binary=None, extra_args=(), env=None, timeout=30.0):
        self.binary = binary or default_binary()
        if not os.access(self.binary, os.X_OK):
            raise ServerError(f"no ssm-replay binary at {self.binary}: build it (make build) or name it "
                              f"(--ssm-replay-bin PATH, or SSM_REPLAY_BIN)")
        self.store, self.mode = store, mode
        self.dir = tempfile.mkdtemp(prefix="ssm-replay-serve-")
        self.stdout_path = os.path.join(self.dir, "stdout")
        self.stderr_path = os.path.join(self.dir, "stderr")
        cmd = [self.binary, "serve", "--store", store, "--mode", mode, "--listen", "127.0.0.1:0", *extra_args]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        self.pid = self.proc.pid
        try:
            match = self._wait(lambda: LISTENING.search(self._read(self.stdout_path)), timeout,
                               "the 'listening on' line")
            self.port = int(match.group(2))
            self.url = f"http://127.0.0.1:{self.port}"
            self._wait(self._answers, timeout, f"an answer from {self.url}/__replay/health")
        except BaseException:
            self.stop(keep_logs=True)
            raise

    def _wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.proc.poll() is not None:
                raise ServerError(f"ssm-replay serve exited with {self.proc.returncode} before {what}: "
                                  f"{self._read(self.stderr_path)[-2000:]} (logs in {self.dir})")
            if time.monotonic() >= deadline:
                raise ServerError(f"ssm-replay serve gave no {what} within {timeout} s (logs in {self.dir})")
            time.sleep(0.02)

    def _answers(self):
        try:
            Admin(self.url, timeout=2).health()
            return True
        except AdminError:
            return False

    @staticmethod
    def _read(path):
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr(self):
        """The server's log so far (JSON lines)."""
        return self._read(self.stderr_path)

    def stop(self, keep_logs=False, timeout=20.0):
        """SIGTERM (SIGKILL if it does not stop within `timeout`); returns the exit code. The logs are
        removed unless `keep_logs` or the server did not exit cleanly."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        code = self.proc.returncode
        if not keep_logs and code == 0:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
