"""Shared helpers for end-to-end tests: a replay server over a fresh store, real clients, fixtures.

ReplayServer imports the bundled fixtures (SSM_FIXTURES_DIR) into a private store with
`ssm-replay import`, starts `ssm-replay serve --listen 127.0.0.1:0 ...`, reads the chosen port from
its "listening on 127.0.0.1:PORT" line, waits for GET /__replay/health, and stops it with SIGTERM.
Only loopback is ever used; clients get dummy credentials (replay needs none)."""
import base64
import glob
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
import urllib.parse

import boto3
import botocore.config

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.environ.get("SSM_REPLAY_BIN", os.path.join(HERE, "../../build/ssm-replay"))
FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(HERE, "../../fixtures"))

DUMMY_KEY_ID = "AKIADUMMYREPLAYCLIENT"
DUMMY_SECRET = "dummy-secret-never-logged-0123456789"
DUMMY_TOKEN = "dummy-session-token-never-logged"
REGION = "us-east-1"

# botocore's command_executed waiter acceptors (data/ssm/2014-11-06/waiters-2.json).
WAITER_RETRY = {"Pending", "InProgress", "Delayed"}
WAITER_SUCCESS = {"Success"}
WAITER_FAILURE = {"Cancelled", "TimedOut", "Failed", "Cancelling"}


def client_env(**extra):
    """An environment with dummy credentials and no way to reach real AWS configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": DUMMY_KEY_ID, "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
                "AWS_SESSION_TOKEN": DUMMY_TOKEN, "AWS_DEFAULT_REGION": REGION,
                "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_PAGER": ""})
    env.update(extra)
    return env


def run_tool(*args, timeout=60):
    """Runs build/ssm-replay with `args`; returns the CompletedProcess (text)."""
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, env=client_env())


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


# ---- fixtures, read at test time -------------------------------------------------------------------

class FixtureTape:
    """One tape file: its key and, per interaction, (HTTP status, body bytes, parsed body or None)."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.key = data["key"]
        self.action = self.key["action"]
        self.answers = []
        for interaction in data["interactions"]:
            response = interaction["response"]
            if "body" in response:
                parsed = response["body"]
            elif "bodyText" in response:
                parsed = _maybe_json(response["bodyText"])
            else:
                parsed = _maybe_json(base64.b64decode(response.get("bodyBase64", "")).decode("utf-8", "replace"))
            self.answers.append((response["status"], parsed))
        self.request = data.get("key", {}).get("request")

    @property
    def command_id(self):
        return self.key.get("CommandId")

    @property
    def instance_id(self):
        return self.key.get("InstanceId")

    @property
    def plugin_name(self):
        return self.key.get("PluginName")

    def params(self):
        """boto3 keyword arguments for GetCommandInvocation."""
        p = {"CommandId": self.command_id, "InstanceId": self.instance_id}
        if self.plugin_name is not None:
            p["PluginName"] = self.plugin_name
        return p

    def states(self):
        """Per answer: the Status, or the error code for an error answer."""
        out = []
        for status, body in self.answers:
            if status >= 300:
                code = body.get("__type", "") if isinstance(body, dict) else ""
                out.append(code.split("#")[-1])
            else:
                out.append(body.get("Status") if isinstance(body, dict) else None)
        return out

    def waiter_end(self):
        """(1-based poll, state) where command_executed stops on this tape, or None if it never does."""
        for i, state in enumerate(self.states()):
            status = self.answers[i][0]
            if status >= 300:
                if state == "InvocationDoesNotExist":
                    continue
                return i + 1, state
            if state in WAITER_SUCCESS or state in WAITER_FAILURE:
                return i + 1, state
        return None

    def __repr__(self):
        return f"FixtureTape({os.path.relpath(self.path, FIXTURES)})"


def _maybe_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def fixture_tapes(action=None):
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True))
    tapes = []
    for path in paths:
        try:
            tape = FixtureTape(path)
        except (KeyError, ValueError):
            continue  # not a tape file
        if action is None or tape.action == action:
            tapes.append(tape)
    return tapes


def invocation_tapes():
    return fixture_tapes("GetCommandInvocation")


# ---- the server --------------------------------------------------------------------------------------

class ReplayServer:
    """`ssm-replay serve` on a free loopback port. With store=None, a fresh store under a private temp
    dir is created from the fixtures. Use as a context manager, or call stop()."""

    def __init__(self, *args, store=None, mode="replay", import_paths=None, env=None, start=True):
        self.tmp = tempfile.mkdtemp(prefix="ssm-e2e-replay-")
        self.owns_store = store is None
        self.store = store or os.path.join(self.tmp, "store")
        if self.owns_store:
            import_fixtures(self.store, import_paths)
        self.mode = mode
        self.args = list(args)
        self.env = env or client_env()
        self.proc = None
        self.returncode = None
        self.stderr_text = ""
        self.stdout_lines = []
        # Admin calls carry the token the server was started with, unless told otherwise.
        self.admin_token = self.args[self.args.index("--admin-token") + 1] if "--admin-token" in self.args else None
        if start:
            try:
                self.start()
            except Exception:
                self.close()
                raise

    def start(self):
        self._stderr = open(os.path.join(self.tmp, f"stderr-{time.monotonic_ns()}.log"), "w+b")
        self.proc = subprocess.Popen([BIN, "serve", "--store", self.store, "--mode", self.mode,
                                      "--listen", "127.0.0.1:0", *self.args],
                                     stdout=subprocess.PIPE, stderr=self._stderr, text=True, env=self.env)
        line = self.proc.stdout.readline()
        self.stdout_lines = [line]
        m = re.match(r"listening on 127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            self.stop()
            raise RuntimeError(f"serve did not start: stdout {line!r}, stderr {self.stderr()!r}")
        self.port = int(m.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {self.stderr()}")
            try:
                status, _, _ = self.http("GET", "/__replay/health", token=self.admin_token)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("serve never became healthy")

    def stderr(self):
        if self._stderr.closed:
            return self.stderr_text
        self._stderr.flush()
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def read_stdout_line(self):
        line = self.proc.stdout.readline()
        self.stdout_lines.append(line)
        return line

    def stop(self, sig=signal.SIGTERM, timeout=20):
        """Stops the server with `sig`; returns its exit code."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and not self._stderr.closed:
            self.returncode = self.proc.returncode
            self.proc.stdout.close()
            self.stderr_text = self.stderr()
            self._stderr.close()
        return self.returncode

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- raw HTTP ---------------------------------------------------------------------------------

    def http(self, method, path, body=b"", headers=None, token=None):
        """One request on a fresh connection: (status, headers dict (lower-case names), body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
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
        """A raw SSM call: (status, headers, body bytes)."""
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        headers = {"X-Amz-Target": f"AmazonSSM.{action}", "Content-Type": "application/x-amz-json-1.1"}
        headers.update(extra_headers or {})
        return self.http("POST", "/", body, headers)

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

    # -- real clients ---------------------------------------------------------------------------------

    def ssm_client(self, **config):
        session = boto3.session.Session(aws_access_key_id=DUMMY_KEY_ID, aws_secret_access_key=DUMMY_SECRET,
                                        aws_session_token=DUMMY_TOKEN, region_name=REGION)
        cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, **config)
        return session.client("ssm", endpoint_url=self.url, config=cfg)

    def aws_cli(self, *args, timeout=60):
        """`aws ssm ARGS --endpoint-url URL` with dummy credentials: (exit code, stdout, stderr)."""
        proc = subprocess.run(["aws", "ssm", *args, "--endpoint-url", self.url, "--region", REGION,
                               "--output", "json"],
                              capture_output=True, text=True, timeout=timeout, env=client_env())
        return proc.returncode, proc.stdout, proc.stderr


def count_calls(client, operation="GetCommandInvocation"):
    """Counts `operation` calls a boto3 client sends (botocore event hook); returns a one-item list."""
    counter = [0]

    def hook(**_):
        counter[0] += 1

    client.meta.events.register(f"before-call.ssm.{operation}", hook)
    return counter
