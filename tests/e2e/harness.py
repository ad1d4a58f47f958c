"""The one place the end-to-end tests start ssm-replay, and what they use to talk to it.

ServeProcess runs `ssm-replay serve` (any mode, any --listen; by default 127.0.0.1:0), reads the port
from the "listening on HOST:PORT" line it prints on stdout, waits until it answers HTTP, keeps its
stdout and stderr in files, and stops it (SIGTERM, SIGINT or SIGKILL). ReplayServer is a ServeProcess
over a fresh store imported from the bundled fixtures. Also here: the environments processes run in
(no AWS settings of the user's), the command-line tools, raw SSM calls, boto3 and AWS CLI clients, and the
store's export. The server's log is read with server_log.py.

Only loopback is used. Every wait is bounded and raises (naming what it waited for) when it times out."""
import atexit
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import boto3
import botocore.config

from fixture_tapes import FIXTURES

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("SSM_REPLAY_BIN", os.path.join(HERE, "../../build/ssm-replay"))

DUMMY_KEY_ID = "AKIADUMMYREPLAYCLIENT"
DUMMY_SECRET = "dummy-secret-never-logged-0123456789"
DUMMY_TOKEN = "dummy-session-token-never-logged"
REGION = "us-east-1"

# serve prints this line on stdout once its socket is bound (with --listen HOST:0, the port it got).
LISTENING = re.compile(r"listening on (\[[^\]\s]+\]|[^\s:\"\[]+):(\d+)")


def wait_until(predicate, timeout, what):
    """Polls `predicate` until it returns something true, and returns that; after `timeout` seconds
    raises AssertionError naming `what` (a string, or a function called then for the message)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what() if callable(what) else what}")
        time.sleep(0.02)


# ---- environments and tools ------------------------------------------------------------------------

_HOME = None


def _empty_home():
    """One empty HOME for every process these tests start, removed when the tests end."""
    global _HOME
    if _HOME is None:
        _HOME = tempfile.mkdtemp(prefix="ssm-e2e-home-")
        atexit.register(shutil.rmtree, _HOME, True)
    return _HOME


def clean_env(**extra):
    """An environment with no AWS settings of the user's (no ~/.aws either), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = _empty_home()
    env["AWS_CONFIG_FILE"] = os.path.join(env["HOME"], "no-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(env["HOME"], "no-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra)
    return env


def client_env(key_id=DUMMY_KEY_ID, secret=DUMMY_SECRET, token=DUMMY_TOKEN, **extra):
    """For a client of the proxy (the AWS CLI): its credentials, no pager, one attempt per call."""
    env = clean_env(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION,
                    AWS_PAGER="", AWS_MAX_ATTEMPTS="1", **extra)
    if token:
        env["AWS_SESSION_TOKEN"] = token
    return env


def run_tool(*args, timeout=60, env=None):
    """Runs build/ssm-replay with `args`; returns the CompletedProcess (text)."""
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else client_env())


def run_serve_expect_failure(store, mode, *args, env=None, timeout=20):
    """Runs serve expecting it to refuse to start; returns (exit code, stderr)."""
    proc = run_tool("serve", "--store", store, "--mode", mode, "--listen", "127.0.0.1:0", *args,
                    timeout=timeout, env=env if env is not None else clean_env())
    return proc.returncode, proc.stderr


# ---- the store ------------------------------------------------------------------------------------

def import_fixtures(store, paths=None):
    proc = run_tool("import", "--store", store, *(paths or [FIXTURES]))
    if proc.returncode != 0:
        raise RuntimeError(f"import failed ({proc.returncode}): {proc.stderr}")
    return proc


def store_digest(store):
    """SHA-256 over the store's data file: equal digests mean an unchanged store."""
    h = hashlib.sha256()
    with open(os.path.join(store, "data.mdb"), "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_bytes(store):
    """Every byte of every file in the store directory (data.mdb, lock.mdb, ...)."""
    data = b""
    for root, _, files in os.walk(store):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                data += f.read()
    return data


def exported_files(store):
    """`ssm-replay export` of the store: [(relative path, bytes)], sorted by path."""
    out = tempfile.mkdtemp(prefix="ssm-e2e-export-")
    try:
        proc = run_tool("export", "--store", store, "--out", out)
        if proc.returncode != 0:
            raise AssertionError(f"export failed: {proc.stderr}")
        files = []
        for root, _, names in os.walk(out):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files.append((os.path.relpath(path, out), f.read()))
        return sorted(files)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def export_bytes(store):
    """Every byte of `ssm-replay export` of the store."""
    return b"".join(data for _, data in exported_files(store))


def export_tapes(store):
    """The store's tapes as `ssm-replay export` writes them: {relative path: parsed tape file}."""
    return {path: json.loads(data) for path, data in exported_files(store)}


def response_json(interaction):
    """The JSON response body of an exported interaction (shown as "body", or as "bodyText")."""
    response = interaction["response"]
    if "body" in response:
        return response["body"]
    return json.loads(response["bodyText"])


# ---- the server -----------------------------------------------------------------------------------

class ServeProcess:
    """`ssm-replay serve --store STORE --mode MODE ARGS... --listen LISTEN` (no --listen at all when
    listen is None), run behind `launcher` (a command prefix, e.g. one that enters a namespace) when
    given. Started at construction; use as a context manager, or call close()."""

    def __init__(self, store, mode="replay", *args, listen="127.0.0.1:0", env=None, launcher=(), timeout=30.0):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-serve-")
        self.store, self.mode, self.args = store, mode, list(args)
        self.listen, self.launcher = listen, list(launcher)
        self.env = env if env is not None else clean_env()
        # Admin calls carry the token the server was started with, unless told otherwise.
        self.admin_token = self.args[self.args.index("--admin-token") + 1] if "--admin-token" in self.args else None
        self.proc = None
        self.runs = 0
        try:
            self.start(timeout)
        except BaseException:
            self.close()
            raise

    def start(self, timeout=30.0):
        self.runs += 1
        self.out_path = os.path.join(self.dir, f"stdout-{self.runs}")
        self.err_path = os.path.join(self.dir, f"stderr-{self.runs}")
        cmd = [*self.launcher, BIN, "serve", "--store", self.store, "--mode", self.mode, *self.args]
        if self.listen is not None:
            cmd += ["--listen", self.listen]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=self.env)
        self.pid = self.proc.pid
        m = self._wait(lambda: LISTENING.search(self.stdout()), timeout, "the 'listening on' line")
        self.host, self.port = m.group(1).strip("[]"), int(m.group(2))
        self.url = f"http://127.0.0.1:{self.port}"
        self._wait(self.answers_http, timeout, f"an HTTP answer on 127.0.0.1:{self.port}")
        return self

    def _wait(self, predicate, timeout, what):
        """wait_until, failing at once (with the output) if the server exits first."""
        def ready():
            value = predicate()
            if not value and self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode} before {what}: {self.output()!r}")
            return value
        try:
            return wait_until(ready, timeout, what)
        except AssertionError:
            self.stop()
            raise

    def answers_http(self):
        """True once GET /__replay/health gets any HTTP answer (denied included)."""
        try:
            self.http("GET", "/__replay/health", token=self.admin_token, timeout=2)
            return True
        except OSError:
            return False

    # -- output -----------------------------------------------------------------------------------------

    def _read(self, path):
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stdout(self):
        return self._read(self.out_path)

    def stderr(self):
        """The log of the current (or last) run, as written so far."""
        return self._read(self.err_path)

    def output(self):
        return self.stdout() + self.stderr()

    def wait_for_stdout(self, pattern, timeout=10.0):
        """The first match of `pattern` in stdout, once printed."""
        return wait_until(lambda: re.search(pattern, self.stdout()), timeout, f"{pattern!r} on stdout")

    def wait_for_stderr(self, predicate, timeout=10.0, what="a log line"):
        """stderr once predicate(stderr) holds (the log is written asynchronously)."""
        def holds():
            text = self.stderr()
            return text if predicate(text) else None
        return wait_until(holds, timeout, what)

    # -- stopping ---------------------------------------------------------------------------------------

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server with `sig` (SIGKILL if it does not stop in time); returns its exit code."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode if self.proc is not None else None

    def kill(self):
        """SIGKILL: no shutdown code runs at all."""
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    cleanup = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- raw HTTP ---------------------------------------------------------------------------------------

    def connection(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def http(self, method, path, body=b"", headers=None, token=None, timeout=30):
        """One request on a fresh connection: (status, headers dict (lower-case names), body bytes)."""
        conn = self.connection(timeout)
        try:
            hdrs = dict(headers or {})
            if token:
                hdrs["X-Replay-Admin-Token"] = token
            if isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body if (body or method == "POST") else None, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            conn.close()

    def call(self, action, body, extra_headers=None):
        """A raw SSM call on a fresh connection: (status, headers, body bytes)."""
        conn = self.connection()
        try:
            return ssm_call(conn, action, body, extra_headers)
        finally:
            conn.close()

    def reset(self, token=None, **key):
        path = "/__replay/reset"
        if key:
            path += "?" + urllib.parse.urlencode(key)
        status, _, body = self.http("POST", path, token=token or self.admin_token)
        if status != 200:
            raise RuntimeError(f"reset failed: {status} {body!r}")
        return json.loads(body)

    def metrics(self, token=None):
        """{(name, frozenset(labels.items())): value} from GET /__replay/metrics."""
        status, _, body = self.http("GET", "/__replay/metrics", token=token or self.admin_token)
        if status != 200:
            raise RuntimeError(f"metrics failed: {status} {body!r}")
        out = {}
        for line in body.decode().splitlines():
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$", line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(3) or ""))
            out[(m.group(1), frozenset(labels.items()))] = float(m.group(4))
        return out

    def requests_count(self, action, outcome):
        return int(self.metrics().get(("ssm_replay_requests_total",
                                       frozenset({"action": action, "outcome": outcome}.items())), 0))

    # -- real clients -----------------------------------------------------------------------------------

    def ssm_client(self, **config):
        return ssm_client(self.url, **config)

    def aws_cli(self, *args, timeout=60):
        return aws_cli(self.url, *args, timeout=timeout)


class ReplayServer(ServeProcess):
    """`serve ARGS...` (replay mode unless told) over `store`, or, with store=None, over a fresh store
    imported from the fixtures (or `import_paths`) into the server's private temp dir."""

    def __init__(self, *args, store=None, mode="replay", import_paths=None, env=None, listen="127.0.0.1:0"):
        if store is None:
            self.own_dir = tempfile.mkdtemp(prefix="ssm-e2e-replay-")
            store = os.path.join(self.own_dir, "store")
            try:
                import_fixtures(store, import_paths)
            except BaseException:
                shutil.rmtree(self.own_dir, ignore_errors=True)
                raise
        else:
            self.own_dir = None
        # Dummy credentials: enough for auto mode to start; a replayed call never reaches an upstream.
        super().__init__(store, mode, *args, listen=listen, env=env if env is not None else client_env())

    def close(self):
        super().close()
        if self.own_dir:
            shutil.rmtree(self.own_dir, ignore_errors=True)

    cleanup = close


# ---- clients ----------------------------------------------------------------------------------------

SSM_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}


def ssm_call(conn, action, body, extra_headers=None):
    """One SSM call on an open http.client connection (kept alive): (status, headers, body bytes)."""
    if isinstance(body, str):
        body = body.encode()
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = dict(SSM_HEADERS, **{"X-Amz-Target": f"AmazonSSM.{action}"})
    headers.update(extra_headers or {})
    conn.request("POST", "/", body=data, headers=headers)
    r = conn.getresponse()
    payload = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, payload


def ssm_client(url, key_id=DUMMY_KEY_ID, secret=DUMMY_SECRET, token=DUMMY_TOKEN, raw=None,
               retries=None, **config):
    """A boto3 SSM client for `url` that does not retry unless `retries` says so; when `raw` is a list,
    every answer's body bytes are appended to it."""
    session = boto3.session.Session(aws_access_key_id=key_id, aws_secret_access_key=secret,
                                    aws_session_token=token or None, region_name=REGION)
    cfg = botocore.config.Config(retries=retries or {"max_attempts": 1, "mode": "standard"}, **config)
    client = session.client("ssm", endpoint_url=url, config=cfg)
    if raw is not None:
        def keep(response_dict=None, **_):
            if response_dict is not None:  # None: a transport error, no answer
                raw.append(response_dict["body"])
        # Emitted for every HTTP answer, AWS errors included (after-call is not).
        client.meta.events.register("response-received.ssm", keep)
    return client


def aws_cli(url, *args, env=None, timeout=120):
    """`aws ssm ARGS --endpoint-url URL --output json` as a client (dummy credentials unless `env`
    says otherwise): (exit code, stdout, stderr)."""
    proc = subprocess.run(["aws", "ssm", *args, "--endpoint-url", url, "--region", REGION, "--output", "json"],
                          capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else client_env())
    return proc.returncode, proc.stdout, proc.stderr


def count_calls(client, operation="GetCommandInvocation"):
    """Counts `operation` calls a boto3 client sends (botocore event hook); returns a one-item list."""
    counter = [0]

    def hook(**_):
        counter[0] += 1

    client.meta.events.register(f"before-call.ssm.{operation}", hook)
    return counter


class ScratchStoreTest(unittest.TestCase):
    """A test class whose tests each get a fresh private folder, `self.tmp`, removed after the test, and a
    store path in it, `self.store` (not created: the first command that writes it does)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ssm-e2e-%s-" % type(self).__name__)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.store = os.path.join(self.tmp, "store")


class FixturesServerTest(unittest.TestCase):
    """A test class whose tests share one ReplayServer over the bundled fixtures, `cls.server`, started
    before the first test and stopped after the last."""

    @classmethod
    def setUpClass(cls):
        cls.server = ReplayServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
