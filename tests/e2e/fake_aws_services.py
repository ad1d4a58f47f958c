"""Fake AWS credential services on loopback, for tests/e2e/test_credential_chain.py.

  * Issuer: the credentials the fakes hand out, and which of them an upstream accepts (with expiry).
  * FakeSts: AssumeRole (SigV4 checked with botocore against the caller's known credentials) and
    AssumeRoleWithWebIdentity (the expected OIDC token), answering the STS XML.
  * FakeSso: the SSO portal's GetRoleCredentials (GET /federation/credentials, bearer token checked).
  * FakeImds: IMDSv2 (PUT /latest/api/token, then the role and its credentials, token required).
  * FakeEcs: the container credentials endpoint (Authorization header checked).
  * CheckingUpstream: an SSM look-alike that accepts only requests SigV4-signed (checked by
    upstreams._verify_sigv4, i.e. botocore) with credentials the Issuer accepts, and answers SendCommand
    and a GetCommandInvocation waiter.
  * isolated_env(), ssm_client(), free_port(): a process environment with nothing of the user's AWS
    set-up, a boto3 client of the proxy, a closed loopback port.

Everything listens on 127.0.0.1 only. Keys are deterministic per (who, what) so that botocore, resolving
the same environment, receives the same access key id as the proxy; with unique=True each issue is new
(refresh tests). Never print what the fakes received: it holds signatures and tokens.
"""
import datetime
import hashlib
import http.server
import json
import os
import socket
import threading
import time
import urllib.parse
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from upstreams import _verify_sigv4

COMMAND_ID = "11111111-2222-3333-4444-555555555555"
INSTANCE_ID = "i-0123456789abcdef0"


def isolated_env(home, **extra):
    """The environment without any AWS_* of the user's: HOME and both AWS files under `home`, IMDS off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials"),
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"})
    env.update(extra)
    return env


def ssm_client(url):
    """A boto3 SSM client of the proxy at `url` (dummy credentials: the proxy signs anew), no retries."""
    import boto3
    from botocore.config import Config
    return boto3.client("ssm", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIACLIENTDUMMY00000",
                        aws_secret_access_key="client-secret-not-forwarded",
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def free_port():
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def iso(when):
    return datetime.datetime.fromtimestamp(when, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Issuer:
    """Credentials known to the fakes: static ones registered by a test, temporary ones issued."""

    def __init__(self, lifetime_s=3600, unique=False):
        self.lock = threading.Lock()
        self.known = {}  # key id -> (secret, token or "", expires at (0: never))
        self.lifetime_s = lifetime_s
        self.unique = unique
        self.issued = 0

    def register(self, key_id, secret, token=""):
        with self.lock:
            self.known[key_id] = (secret, token, 0)
        return key_id

    def issue(self, who, what):
        """New temporary credentials for `who` (the caller) asking for `what` (a role)."""
        with self.lock:
            self.issued += 1
            seed = f"{who}|{what}" + (f"|{self.issued}" if self.unique else "")
            digest = hashlib.sha256(seed.encode()).hexdigest().upper()
            key_id = "ASIA" + digest[:16]
            secret = hashlib.sha256(("secret" + seed).encode()).hexdigest()[:40]
            token = "FQoG" + hashlib.sha256(("token" + seed).encode()).hexdigest()
            expires = int(time.time()) + self.lifetime_s
            self.known[key_id] = (secret, token, expires)
            return key_id, secret, token, expires

    def lookup(self, key_id):
        with self.lock:
            return self.known.get(key_id)


def key_id_for(issuer, who, what):
    """The key id `issuer` hands out for (who, what) when not unique: what a test expects."""
    seed = f"{who}|{what}"
    return "ASIA" + hashlib.sha256(seed.encode()).hexdigest().upper()[:16]


class _Service:
    """A ThreadingHTTPServer on 127.0.0.1 with a handler class built by `make_handler(service)`."""

    def __init__(self, make_handler):
        self.lock = threading.Lock()
        self.requests = []  # (method, path) only: never headers or bodies
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def note(self, method, path):
        with self.lock:
            self.requests.append((method, path))

    def count(self):
        with self.lock:
            return len(self.requests)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # an answer leaves in one write (flushed after each request), not two segments
    service = None

    def log_message(self, *args):  # quiet: and never log what we received
        pass

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def answer(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _sts_credentials_xml(action, key_id, secret, token, expires):
    return (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
            f"<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>"
            f"<SessionToken>{token}</SessionToken><Expiration>{iso(expires)}</Expiration></Credentials>"
            f"</{action}Result></{action}Response>")


def _sts_error_xml(code, message):
    return (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fake</RequestId></ErrorResponse>")


def _verify_sts_signature(method, path, headers, body, issuer):
    """None when the request is SigV4-signed for service sts by credentials the issuer knows."""
    auth = headers.get("Authorization", "")
    if "Credential=" not in auth:
        return "MissingAuthenticationToken"
    key_id = auth.split("Credential=", 1)[1].split("/", 1)[0]
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
    known = issuer.lookup(key_id)
    if known is None or len(scope) != 5 or scope[3] != "sts":
        return "InvalidClientTokenId"
    secret, token, expires = known
    if expires and expires < time.time():
        return "ExpiredToken"
    if (headers.get("X-Amz-Security-Token") or "") != token:
        return "InvalidClientTokenId"
    when = datetime.datetime.strptime(headers.get("X-Amz-Date", ""), "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    signed = auth.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    request = AWSRequest(method=method, url=f"http://{headers.get('Host')}{path}", data=body)
    for name in signed:
        if name not in ("x-amz-date", "x-amz-security-token", "host"):
            request.headers[name] = headers.get(name)
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(Credentials(key_id, secret, token or None), "sts", scope[2]).add_auth(request)
    return None if request.headers["Authorization"] == auth else "SignatureDoesNotMatch"


class FakeSts(_Service):
    """STS on loopback. `web_tokens` maps an accepted OIDC token to a label; `deny` answers AccessDenied."""

    def __init__(self, issuer, web_tokens=(), deny=False):
        self.issuer, self.web_tokens, self.deny = issuer, set(web_tokens), deny

        def make_handler(service):
            class Handler(_Handler):
                def do_POST(self):
                    body = self.body()
                    service.note("POST", self.path)
                    form = dict(urllib.parse.parse_qsl(body.decode()))
                    action = form.get("Action", "")
                    if action == "AssumeRole":
                        self.assume_role(form, body)
                    elif action == "AssumeRoleWithWebIdentity":
                        self.with_web_identity(form)
                    else:
                        self.answer(400, _sts_error_xml("InvalidAction", action), "text/xml")

                def assume_role(self, form, body):
                    verdict = _verify_sts_signature("POST", self.path, self.headers, body, service.issuer)
                    if verdict is not None:
                        self.answer(403, _sts_error_xml(verdict, "The request was not signed by known credentials."),
                                    "text/xml")
                        return
                    caller = self.headers["Authorization"].split("Credential=", 1)[1].split("/", 1)[0]
                    if service.deny:
                        self.answer(403, _sts_error_xml(
                            "AccessDenied", f"User: arn:aws:iam::123456789012:user/{caller[:4]} is not authorized "
                            f"to perform: sts:AssumeRole on resource: {form.get('RoleArn')}"), "text/xml")
                        return
                    creds = service.issuer.issue(caller, form.get("RoleArn"))
                    self.answer(200, _sts_credentials_xml("AssumeRole", *creds), "text/xml")

                def with_web_identity(self, form):
                    token = form.get("WebIdentityToken", "")
                    if token not in service.web_tokens:
                        self.answer(400, _sts_error_xml("InvalidIdentityToken", "Unknown token."), "text/xml")
                        return
                    creds = service.issuer.issue("web:" + token, form.get("RoleArn"))
                    self.answer(200, _sts_credentials_xml("AssumeRoleWithWebIdentity", *creds), "text/xml")
            return Handler

        super().__init__(make_handler)


class FakeSso(_Service):
    """The SSO portal: GetRoleCredentials for `access_token`."""

    def __init__(self, issuer, access_token):
        self.issuer, self.access_token = issuer, access_token

        def make_handler(service):
            class Handler(_Handler):
                def do_GET(self):
                    service.note("GET", self.path.split("?")[0])
                    url = urllib.parse.urlparse(self.path)
                    query = dict(urllib.parse.parse_qsl(url.query))
                    if url.path != "/federation/credentials":
                        self.answer(404, "{}")
                    elif self.headers.get("x-amz-sso_bearer_token") != service.access_token:
                        self.answer(401, json.dumps({"message": "Session token not found or invalid"}))
                    else:
                        key_id, secret, token, expires = service.issuer.issue(
                            "sso:" + query.get("account_id", ""), query.get("role_name", ""))
                        self.answer(200, json.dumps({"roleCredentials": {
                            "accessKeyId": key_id, "secretAccessKey": secret, "sessionToken": token,
                            "expiration": expires * 1000}}))
            return Handler

        super().__init__(make_handler)


def _role_credentials_json(key_id, secret, token, expires):
    return json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": key_id, "SecretAccessKey": secret,
                       "Token": token, "Expiration": iso(expires), "LastUpdated": iso(time.time())})


class FakeImds(_Service):
    """IMDSv2 with one instance-profile role."""

    def __init__(self, issuer, role="web-server-role"):
        self.issuer, self.role, self.token = issuer, role, "imds-session-token"

        def make_handler(service):
            class Handler(_Handler):
                def do_PUT(self):
                    self.body()
                    service.note("PUT", self.path)
                    if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                        self.answer(200, service.token, "text/plain")
                    else:
                        self.answer(400, "", "text/plain")

                def do_GET(self):
                    service.note("GET", self.path)
                    base = "/latest/meta-data/iam/security-credentials/"
                    if self.headers.get("X-aws-ec2-metadata-token") != service.token:
                        self.answer(401, "", "text/plain")
                    elif self.path == base:
                        self.answer(200, service.role, "text/plain")
                    elif self.path == base + service.role:
                        self.answer(200, _role_credentials_json(*service.issuer.issue("imds", service.role)))
                    else:
                        self.answer(404, "", "text/plain")
            return Handler

        super().__init__(make_handler)


class FakeEcs(_Service):
    """The container credentials endpoint at /creds, for `authorization` (None: no header needed)."""

    def __init__(self, issuer, authorization=None):
        self.issuer, self.authorization = issuer, authorization

        def make_handler(service):
            class Handler(_Handler):
                def do_GET(self):
                    service.note("GET", self.path)
                    if service.authorization is not None and self.headers.get("Authorization") != service.authorization:
                        self.answer(401, json.dumps({"message": "unauthorized"}))
                    elif self.path == "/creds":
                        key_id, secret, token, expires = service.issuer.issue("ecs", "task-role")
                        self.answer(200, json.dumps({"AccessKeyId": key_id, "SecretAccessKey": secret, "Token": token,
                                                     "Expiration": iso(expires), "RoleArn": "arn:aws:iam::1:role/task"}))
                    else:
                        self.answer(404, "{}")
            return Handler

        super().__init__(make_handler)


def send_command(body, n):
    return 200, {"Command": {"CommandId": COMMAND_ID, "DocumentName": body.get("DocumentName", ""),
                             "InstanceIds": body.get("InstanceIds", []), "Status": "Pending",
                             "Parameters": body.get("Parameters", {})}}


def get_command_invocation(body, n):
    done = n >= 1
    return 200, {"CommandId": body["CommandId"], "InstanceId": body["InstanceId"], "Comment": "",
                 "DocumentName": "AWS-RunShellScript", "PluginName": "aws:runShellScript",
                 "ResponseCode": 0 if done else -1, "Status": "Success" if done else "InProgress",
                 "StatusDetails": "Success" if done else "InProgress",
                 "StandardOutputContent": "ok\n" if done else "", "StandardErrorContent": ""}


class CheckingUpstream(_Service):
    """SSM on loopback accepting only requests signed by credentials `issuer` knows and `accept(key_id)`
    allows (default: any it knows), unexpired. Counts accepted and refused requests by key id."""

    ANSWERS = {"SendCommand": send_command, "GetCommandInvocation": get_command_invocation}

    def __init__(self, issuer, accept=None, echo_secrets=False):
        self.issuer = issuer
        self.accept = accept or (lambda key_id: True)
        # Answers GetCommandInvocation with the signing secret and token in its output, as a command
        # that printed its environment would: what the recorder must redact.
        self.echo_secrets = echo_secrets
        self.accepted = []  # key ids of accepted requests, in order
        self.refused = []   # (key id, error type)
        self.calls = {}

        def make_handler(service):
            class Handler(_Handler):
                def do_POST(self):
                    body = self.body()
                    service.note("POST", self.path)
                    key_id, error = service.check(self.path, self.headers, body)
                    action = self.headers.get("X-Amz-Target", "").replace("AmazonSSM.", "")
                    with service.lock:
                        (service.accepted.append(key_id) if error is None else service.refused.append((key_id, error)))
                        n = service.calls.get((action, body), 0)
                        service.calls[(action, body)] = n + 1
                    if error is not None:
                        self.ssm_answer(403, {"__type": error, "message": "The security token included in the "
                                                                          "request is invalid."}, error)
                        return
                    status, payload = service.ANSWERS[action](json.loads(body or b"{}"), n)
                    if service.echo_secrets and action == "GetCommandInvocation":
                        secret, token, _ = service.issuer.lookup(key_id)
                        payload = dict(payload, StandardOutputContent=f"AWS_SECRET_ACCESS_KEY={secret}\n"
                                                                      f"AWS_SESSION_TOKEN={token}\n")
                    self.ssm_answer(status, payload, None)

                def ssm_answer(self, status, payload, error_type):
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("x-amzn-RequestId", "req")
                    if error_type:
                        self.send_header("x-amzn-ErrorType", error_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
            return Handler

        super().__init__(make_handler)

    def check(self, path, headers, body):
        """(key id, None) when accepted, else (key id, AWS error type)."""
        auth = headers.get("Authorization", "")
        key_id = auth.split("Credential=", 1)[1].split("/", 1)[0] if "Credential=" in auth else ""
        known = self.issuer.lookup(key_id)
        if known is None or not self.accept(key_id):
            return key_id, "UnrecognizedClientException"
        secret, token, expires = known
        if expires and expires < time.time():
            return key_id, "ExpiredTokenException"
        verdict = _verify_sigv4("POST", path, headers, body, key_id, secret, token)
        return key_id, None if verdict is None else verdict[1]

    def accepted_keys(self):
        with self.lock:
            return list(self.accepted)

    def refused_requests(self):
        with self.lock:
            return list(self.refused)
