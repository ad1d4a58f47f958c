"""Fake upstreams for the record-path end-to-end tests, each on a free 127.0.0.1 port:

  * Moto: moto's server (SSM and EC2 emulator).
  * SsmLookalike: the base of the HTTP fakes below (a threaded server answering AWS JSON 1.1 calls).
  * FastUpstream: quick and signature-blind; every answer carries a unique request id, in the
    x-amzn-RequestId header and in the body, so a client's answer can be found on tape.
  * SigCheckUpstream: recomputes, with botocore, the SigV4 signature of every request with the
    operator's known credentials and answers 403 InvalidSignatureException (or
    UnrecognizedClientException) on a mismatch, as AWS does; canned SSM answers otherwise.
  * EchoUpstream: echoes credentials back the way real answers can (a command's output that printed
    the environment; AWS's 403 quoting the canonical request), for the log scans.
  * FaultyUpstream: a raw TCP upstream that misbehaves on purpose: slow, reset, garbage, truncated.
Also the operator's and the client's (fake) credentials, and the strings no store or log may hold.

ssm-replay itself is started by harness.py only. Never print what a fake saw: it holds signatures."""
import datetime
import http.server
import itertools
import json
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import aws_cli, clean_env, client_env, ssm_client, wait_until

# The operator's credentials, as the proxy is given them. Fake, but shaped like real ones so the
# default redaction patterns would catch the key id even without the exact-string rule.
OPERATOR_KEY_ID = "AKIAOPERATOR7EXAMPLE"
OPERATOR_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYOPERATOR1"
OPERATOR_TOKEN = "IQoJb3JpZ2luX2VjEOPERATORSESSIONTOKEN/+/Zm9vYmFy=="
# What clients use: the proxy must never forward these.
CLIENT_KEY_ID = "AKIACLIENTDUMMY00000"
CLIENT_SECRET = "client-secret-not-forwarded"


def operator_env(with_token=False, key_id=OPERATOR_KEY_ID, secret=OPERATOR_SECRET, token=OPERATOR_TOKEN,
                 region="us-east-1"):
    """For serve in a forwarding mode: the operator's credentials and region."""
    env = clean_env(AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=region)
    if with_token:
        env["AWS_SESSION_TOKEN"] = token
    return env


def proxy_client(url, raw=None):
    """A boto3 SSM client of the proxy at `url` with the client's credentials (harness.ssm_client)."""
    return ssm_client(url, CLIENT_KEY_ID, CLIENT_SECRET, None, raw=raw)


def proxy_cli(url, *args):
    """The AWS CLI as a client of the proxy at `url` with the client's credentials (harness.aws_cli)."""
    return aws_cli(url, *args, env=client_env(CLIENT_KEY_ID, CLIENT_SECRET, None))


def forbidden_strings(extra=()):
    return [OPERATOR_KEY_ID, OPERATOR_SECRET, OPERATOR_TOKEN, CLIENT_KEY_ID, CLIENT_SECRET, "Authorization",
            "authorization", *extra]


def free_port():
    """A port nothing listens on right now (for moto, and for an upstream that is not there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Moto:
    """python3 -m moto.server on a free loopback port."""

    def __init__(self, timeout=30.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                                      str(self.port)], stdout=self.log, stderr=subprocess.STDOUT,
                                     env=clean_env())

        def up():
            if self.proc.poll() is not None:
                raise AssertionError(f"moto exited with {self.proc.returncode} before listening")
            return accepts(self.port)
        try:
            wait_until(up, timeout, f"moto on 127.0.0.1:{self.port}")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# ---- HTTP look-alikes -------------------------------------------------------------------------------

class _QuietThreadingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # a proxy killed mid-request resets its connections: not an error here


class SsmLookalike:
    """An AWS JSON 1.1 server on a free loopback port, in a thread. A subclass answers each POST with
    answer(action, body bytes, headers, path) -> (status, payload dict, request id); an error answer's
    payload has "__type", which also goes in x-amzn-ErrorType."""

    def __init__(self):
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # head and body are separate writes: no 40 ms ACK wait

            def log_message(self, *args):  # quiet: and never log what we received
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                action = self.headers.get("X-Amz-Target", "").replace("AmazonSSM.", "")
                # self.headers looks names up case-insensitively, as the answers need.
                status, payload, request_id = upstream.answer(action, body, self.headers, self.path)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", request_id)
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

    def answer(self, action, body, headers, path):
        raise NotImplementedError

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class FastUpstream(SsmLookalike):
    """Quick and signature-blind, for load through the record proxy.

    GetCommandInvocation: the n-th call for a (CommandId, InstanceId) answers 400
    InvocationDoesNotExist (n = 0), then Pending, InProgress, Success (repeated). SendCommand: a
    Command with a fresh CommandId. Every answer, errors included, carries a unique request id in the
    x-amzn-RequestId header and in the body ("message" or "StandardOutputContent"/"Comment")."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seq = itertools.count(1)
        self.calls = {}
        self.count = 0
        super().__init__()

    def answer(self, action, raw_body, headers, path):
        body = json.loads(raw_body or b"{}")
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


class SigCheckUpstream(SsmLookalike):
    """Checks every request's signature against (key_id, secret, token). `answers` maps an action to a
    function (parsed request body, call number for that exact body) -> (status, response dict)."""

    def __init__(self, key_id=OPERATOR_KEY_ID, secret=OPERATOR_SECRET, token="", answers=None):
        self.key_id, self.secret, self.token = key_id, secret, token
        self.answers = answers or {}
        self.lock = threading.Lock()
        self.requests = []   # (action, body bytes, headers dict, verdict or None)
        self.calls = {}      # (action, body) -> count
        super().__init__()

    def answer(self, action, body, headers, path):
        verdict = _verify_sigv4("POST", path, headers, body, self.key_id, self.secret, self.token)
        with self.lock:
            self.requests.append((action, body, dict(headers.items()), verdict))
            n = self.calls.get((action, body), 0)
            self.calls[(action, body)] = n + 1
            request_id = f"req-{len(self.requests)}"
        if verdict is not None:
            status, error_type, message = verdict
            return status, {"__type": error_type, "message": message}, request_id
        answer = self.answers.get(action)
        if answer is None:
            return 400, {"__type": "InvalidAction", "message": f"no canned answer for {action}"}, request_id
        status, payload = answer(json.loads(body or b"{}"), n)
        return status, payload, request_id

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


class EchoUpstream(SsmLookalike):
    """Echoes credentials back the way real answers can: GetCommandInvocation's output printed the
    operator's key id and the session token it was sent; DescribeInstanceInformation is AWS's 403
    quoting the Authorization header and token; anything else a SendCommand answer whose Comment holds
    the Authorization header's start. Keeps every signature it was sent, for the log scan."""

    def __init__(self, key_id, command_id):
        self.key_id, self.command_id = key_id, command_id
        self.signatures = []
        super().__init__()

    def answer(self, action, raw_body, headers, path):
        body = json.loads(raw_body or b"{}")
        auth = headers.get("Authorization", "")
        m = re.search(r"Signature=([0-9a-f]+)", auth)
        if m:
            self.signatures.append(m.group(1))
        token = headers.get("X-Amz-Security-Token", "")
        if action == "DescribeInstanceInformation":
            return 403, {"__type": "InvalidSignatureException",
                         "message": f"The request signature we calculated does not match. Authorization: {auth} "
                                    f"x-amz-security-token:{token}"}, "echo-1"
        if action == "GetCommandInvocation":
            return 200, {"CommandId": body.get("CommandId"), "InstanceId": body.get("InstanceId"),
                         "PluginName": "aws:runShellScript", "Status": "Success", "StatusDetails": "Success",
                         "ResponseCode": 0, "StandardErrorContent": "",
                         "StandardOutputContent": f"AWS_ACCESS_KEY_ID={self.key_id}\nAWS_SESSION_TOKEN={token}\n"}, \
                "echo-1"
        return 200, {"Command": {"CommandId": self.command_id, "Status": "Pending", "Comment": auth[:40]}}, "echo-1"


# ---- a raw TCP upstream -----------------------------------------------------------------------------

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
