"""Upstreams and processes for the record-path end-to-end tests (tests/e2e/test_record_*.py).

  * free_port(), wait_port()
  * Moto: moto's server (SSM and EC2 emulator) on a loopback port.
  * Serve: build/ssm-replay serve in any mode on a free loopback port (read from its "listening on" line).
  * SigCheckUpstream: an SSM look-alike on loopback that recomputes, with botocore, the SigV4 signature of
    every request with the operator's known credentials and answers 403 InvalidSignatureException (or
    UnrecognizedClientException) on a mismatch, as AWS does; 200 with canned SSM answers otherwise.
  * store_bytes(), export_bytes(): everything a store holds on disk, and its export, for secret scans.

Everything listens on 127.0.0.1 only. Never print what SigCheckUpstream saw: it holds signatures.
"""
import atexit
import datetime
import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BIN = os.environ.get("SSM_REPLAY_BIN", os.path.join(os.path.dirname(__file__), "../../build/ssm-replay"))

# The operator's credentials, as the proxy is given them. Fake, but shaped like real ones so the
# default redaction patterns would catch the key id even without the exact-string rule.
OPERATOR_KEY_ID = "AKIAOPERATOR7EXAMPLE"
OPERATOR_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYOPERATOR1"
OPERATOR_TOKEN = "IQoJb3JpZ2luX2VjEOPERATORSESSIONTOKEN/+/Zm9vYmFy=="
# What clients use: the proxy must never forward these.
CLIENT_KEY_ID = "AKIACLIENTDUMMY00000"
CLIENT_SECRET = "client-secret-not-forwarded"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


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
    env.update(extra)
    return env


def operator_env(with_token=False, secret=OPERATOR_SECRET, region="us-east-1"):
    env = clean_env(AWS_ACCESS_KEY_ID=OPERATOR_KEY_ID, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=region)
    if with_token:
        env["AWS_SESSION_TOKEN"] = OPERATOR_TOKEN
    return env


def client_env(region="us-east-1"):
    """For the AWS CLI run as a client of the proxy."""
    return clean_env(AWS_ACCESS_KEY_ID=CLIENT_KEY_ID, AWS_SECRET_ACCESS_KEY=CLIENT_SECRET,
                     AWS_DEFAULT_REGION=region, AWS_PAGER="", AWS_MAX_ATTEMPTS="1")


class Moto:
    """python3 -m moto.server on a free loopback port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                      str(self.port)], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=clean_env())
        wait_port(self.port, proc=self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Serve:
    """build/ssm-replay serve ... --listen 127.0.0.1:0, stopped with SIGTERM."""

    def __init__(self, store, mode, *args, env=None):
        self.stderr = tempfile.TemporaryFile()
        self.final_stderr = ""
        self.proc = subprocess.Popen([BIN, "serve", "--store", store, "--mode", mode, "--listen", "127.0.0.1:0",
                                      *args], stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     env=env if env is not None else clean_env())
        line = self.proc.stdout.readline()
        match = re.match(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not match:
            self.proc.wait(10)
            self.stop()
            raise RuntimeError(f"serve did not start: stdout {line!r}, stderr {self.read_stderr()!r}")
        self.port = int(match.group(1))
        self.url = f"http://127.0.0.1:{self.port}"
        wait_port(self.port, proc=self.proc)

    def read_stderr(self):
        if self.stderr.closed:
            return self.final_stderr
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.stderr.closed:
            self.final_stderr = self.read_stderr()
            self.stderr.close()
        self.proc.stdout.close()
        return self.proc.returncode


def run_serve_expect_failure(store, mode, *args, env=None, timeout=20):
    """Runs serve expecting it to refuse to start; returns (exit code, stderr)."""
    proc = subprocess.run([BIN, "serve", "--store", store, "--mode", mode, "--listen", "127.0.0.1:0", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else clean_env())
    return proc.returncode, proc.stderr


def _verify_sigv4(method, path, headers, body, key_id, secret, token):
    """None when the request carries a valid SigV4 signature by (key_id, secret, token) for service ssm;
    else (status, error type, message) as AWS would answer."""
    auth = headers.get("Authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                 r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$", auth)
    if not m:
        return 400, "IncompleteSignatureException", "Authorization header is missing or malformed."
    got_key, _, region, service, signed, signature = m.groups()
    if got_key != key_id:
        return 403, "UnrecognizedClientException", "The security token included in the request is invalid."
    if token and headers.get("X-Amz-Security-Token") != token:
        return 403, "UnrecognizedClientException", "The security token included in the request is invalid."
    if not token and "X-Amz-Security-Token" in headers:
        return 403, "UnrecognizedClientException", "The security token included in the request is invalid."
    if service != "ssm":
        return 403, "InvalidSignatureException", f"Credential should be scoped to correct service: 'ssm'."
    amz_date = headers.get("X-Amz-Date", "")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return 400, "IncompleteSignatureException", "X-Amz-Date is missing or malformed."
    names = signed.split(";")
    if "host" not in names or "x-amz-date" not in names:
        return 403, "InvalidSignatureException", "Host and X-Amz-Date must be signed."
    request = AWSRequest(method=method, url=f"http://{headers.get('Host')}{path}", data=body)
    for name in names:
        if name in ("x-amz-date", "x-amz-security-token", "host"):
            continue  # botocore adds these itself
        value = headers.get(name)
        if value is None:
            return 403, "InvalidSignatureException", f"Signed header {name} is missing."
        request.headers[name] = value
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials(key_id, secret, token or None), "ssm", region).add_auth(request)
    expected = request.headers["Authorization"]
    if expected != auth:
        # AWS quotes the canonical request and string to sign; so do we, token header included, so that
        # a test can check the proxy never lets that reach a store or a log.
        return 403, "InvalidSignatureException", (
            "The request signature we calculated does not match the signature you provided. Check your "
            "AWS Secret Access Key and signing method. The Canonical String for this request should have "
            f"been 'POST\n/\n\nhost:{headers.get('Host')}\nx-amz-security-token:"
            f"{headers.get('X-Amz-Security-Token', '')}\n'")
    return None


class SigCheckUpstream:
    """A signature-checking SSM look-alike on loopback. `answers` maps an action to a function
    (parsed request body, call number for that exact body) -> response dict (status 200)."""

    def __init__(self, key_id=OPERATOR_KEY_ID, secret=OPERATOR_SECRET, token="", answers=None):
        self.key_id, self.secret, self.token = key_id, secret, token
        self.answers = answers or {}
        self.lock = threading.Lock()
        self.requests = []   # (action, body bytes, headers dict, verdict or None)
        self.calls = {}      # (action, body) -> count
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: and never log what we received
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k: v for k, v in self.headers.items()}
                # self.headers looks names up case-insensitively, as the checks need.
                verdict = _verify_sigv4("POST", self.path, self.headers, body, upstream.key_id, upstream.secret,
                                        upstream.token)
                action = self.headers.get("X-Amz-Target", "").replace("AmazonSSM.", "")
                with upstream.lock:
                    upstream.requests.append((action, body, headers, verdict))
                    n = upstream.calls.get((action, body), 0)
                    upstream.calls[(action, body)] = n + 1
                if verdict is not None:
                    status, error_type, message = verdict
                    self._answer(status, {"__type": error_type, "message": message}, error_type)
                    return
                answer = upstream.answers.get(action)
                if answer is None:
                    self._answer(400, {"__type": "InvalidAction", "message": f"no canned answer for {action}"},
                                 "InvalidAction")
                    return
                status, payload = answer(json.loads(body or b"{}"), n)
                self._answer(status, payload, payload.get("__type") if status >= 400 else None)

            def _answer(self, status, payload, error_type):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", f"req-{len(upstream.requests)}")
                if error_type:
                    self.send_header("x-amzn-ErrorType", error_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self, action=None):
        with self.lock:
            return sum(1 for r in self.requests if action is None or r[0] == action)

    def verdicts(self):
        with self.lock:
            return [r[3] for r in self.requests]

    def signatures(self):
        with self.lock:
            out = []
            for _, _, headers, _ in self.requests:
                for k, v in headers.items():
                    if k.lower() == "authorization":
                        m = re.search(r"Signature=([0-9a-f]+)", v)
                        if m:
                            out.append(m.group(1))
            return out

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


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
        proc = subprocess.run([BIN, "export", "--store", store, "--out", out], capture_output=True, text=True,
                              timeout=60)
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


def forbidden_strings(extra=()):
    return [OPERATOR_KEY_ID, OPERATOR_SECRET, OPERATOR_TOKEN, CLIENT_KEY_ID, CLIENT_SECRET, "Authorization",
            "authorization", *extra]


def export_tapes(store):
    """The store's tapes as `ssm-replay export` writes them: {relative path: parsed tape file}."""
    return {path: json.loads(data) for path, data in exported_files(store)}



def ssm_client(url, key_id=CLIENT_KEY_ID, secret=CLIENT_SECRET, raw=None):
    """A boto3 SSM client for `url` that does not retry; when `raw` is a list, every answer's body bytes
    are appended to it."""
    import boto3
    from botocore.config import Config
    client = boto3.client("ssm", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key_id,
                          aws_secret_access_key=secret,
                          config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    if raw is not None:
        def keep(response_dict=None, **_):
            if response_dict is not None:  # None: a transport error, no answer
                raw.append(response_dict["body"])
        # Emitted for every HTTP answer, AWS errors included (after-call is not).
        client.meta.events.register("response-received.ssm", keep)
    return client


def aws_cli(url, *args):
    """Runs `aws ssm ARGS --endpoint-url url --output json` as a client; returns (exit code, stdout, stderr)."""
    proc = subprocess.run(["aws", "ssm", *args, "--endpoint-url", url, "--output", "json"], capture_output=True,
                          text=True, timeout=120, env=client_env())
    return proc.returncode, proc.stdout, proc.stderr


def response_json(interaction):
    """The JSON response body of an exported interaction (shown as "body", or as "bodyText")."""
    response = interaction["response"]
    if "body" in response:
        return response["body"]
    return json.loads(response["bodyText"])
