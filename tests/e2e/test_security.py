"""Security of `serve`: it listens on loopback unless told otherwise (checked on the socket actually
bound); a non-loopback listen logs a warning and its admin endpoints need --admin-token; and no
credential ever reaches the logs, at any --log-level: neither the operator's (record mode: access key
id, secret, session token, the signatures made with them, even when upstream echoes them back) nor a
client's (Authorization, X-Amz-Security-Token, signatures, query-string credentials), in record and
replay modes, on answers, errors, misses and refusals alike."""
import http.client
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import unittest

import boto3
import botocore.config
import botocore.exceptions

from harness import import_fixtures, invocation_tapes
from hardening_util import ServeProcess, http_get, listening_sockets, ssm_call
from upstreams import BIN, clean_env

# Markers: credentials shaped like real ones, each with a core no log line could hold by chance.
OP_KEY_ID = "AKIAOPLOGMARKER77777"
OP_SECRET = "opSecretLogMarker/K7MDENG+bPxRfiCY0000"
OP_TOKEN = "IQoJopTokenLogMarker/+/Zm9vYmFyYmF6cXV4=="
CL_KEY_ID = "AKIACLLOGMARKER88888"
CL_SECRET = "clSecretLogMarker/AbCdEfGhIjKlMnOpQr11"
CL_TOKEN = "IQoJclTokenLogMarker/+/cXV4cXV4cXV4cXV4=="
RAW_SIGNATURE = "5151515151515151515151515151515151515151515151515151515151515151"
ADMIN_TOKEN = "adminTokenLogMarker-0123456789abcdef"
MARKERS = [OP_KEY_ID, OP_SECRET, OP_TOKEN, CL_KEY_ID, CL_SECRET, CL_TOKEN, RAW_SIGNATURE, ADMIN_TOKEN]
# Cores: a marker cut, re-encoded or partly redacted still shows one of these.
CORES = ["OPLOGMARKER", "opSecretLogMarker", "opTokenLogMarker", "CLLOGMARKER", "clSecretLogMarker",
         "clTokenLogMarker", "51515151515151515151", "adminTokenLogMarker"]

COMMAND_ID = "5e1f0c3a-1b2c-4d3e-8f4a-5b6c7d8e9f00"
INSTANCE = "i-0123456789abcdef0"


def operator_env():
    return clean_env(AWS_ACCESS_KEY_ID=OP_KEY_ID, AWS_SECRET_ACCESS_KEY=OP_SECRET, AWS_SESSION_TOKEN=OP_TOKEN,
                     AWS_REGION="us-east-1")


class EchoUpstream:
    """An SSM look-alike that echoes credentials back the way real answers can: a command's output that
    printed the environment, and AWS's 403 quoting the canonical request (token and all). Keeps every
    signature it was sent, for the log scan."""

    def __init__(self):
        self.signatures = []
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                auth = self.headers.get("Authorization", "")
                m = re.search(r"Signature=([0-9a-f]+)", auth)
                if m:
                    upstream.signatures.append(m.group(1))
                token = self.headers.get("X-Amz-Security-Token", "")
                action = self.headers.get("X-Amz-Target", "").replace("AmazonSSM.", "")
                if action == "DescribeInstanceInformation":
                    status, payload = 403, {
                        "__type": "InvalidSignatureException",
                        "message": f"The request signature we calculated does not match. Authorization: {auth} "
                                   f"x-amz-security-token:{token}"}
                elif action == "GetCommandInvocation":
                    status, payload = 200, {
                        "CommandId": body.get("CommandId"), "InstanceId": body.get("InstanceId"),
                        "PluginName": "aws:runShellScript", "Status": "Success", "StatusDetails": "Success",
                        "ResponseCode": 0, "StandardErrorContent": "",
                        "StandardOutputContent": f"AWS_ACCESS_KEY_ID={OP_KEY_ID}\nAWS_SESSION_TOKEN={token}\n"}
                else:
                    status, payload = 200, {"Command": {"CommandId": COMMAND_ID, "Status": "Pending",
                                                        "Comment": auth[:40]}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("x-amzn-RequestId", "echo-1")
                if status >= 400:
                    self.send_header("x-amzn-ErrorType", payload["__type"])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) != 0


class SecurityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ssm-e2e-security-")
        cls.replay_store = os.path.join(cls.dir, "replay-store")
        import_fixtures(cls.replay_store)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()

    def serve(self, store, mode, *args, **kw):
        s = ServeProcess(store, mode, *args, **kw)
        self.servers.append(s)
        return s

    # ---- listening -----------------------------------------------------------------------------------

    def test_listens_on_loopback_unless_told(self):
        help_text = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
        self.assertRegex(help_text, r"--listen[^\n]*\n?[^\n]*127\.0\.0\.1:4580")
        # Port 0: the socket really is bound to 127.0.0.1 only.
        s = self.serve(self.replay_store, "replay", "--log-level", "info")
        self.assertEqual(listening_sockets(s.pid), [("127.0.0.1", s.port)])
        self.assertNotIn("non-loopback", s.stderr())
        self.assertEqual(http_get(s.port, "/__replay/health")[0], 200)
        s.cleanup()
        # No --listen at all: the documented default, 127.0.0.1:4580, when that port is free here.
        if not port_free(4580):
            self.skipTest("127.0.0.1:4580 is in use on this machine: default listen not started")
        s = self.serve(self.replay_store, "replay", "--log-level", "info", listen=None)
        self.assertEqual((s.host, s.port), ("127.0.0.1", 4580))
        self.assertEqual(listening_sockets(s.pid), [("127.0.0.1", 4580)])
        self.assertEqual(s.stop(), 0)

    def test_non_loopback_listen_warns_and_admin_needs_token(self):
        # Bound on every interface (never connected to but through 127.0.0.1).
        s = self.serve(self.replay_store, "replay", "--log-level", "info", listen="0.0.0.0:0")
        self.assertEqual(s.host, "0.0.0.0")
        self.assertEqual(listening_sockets(s.pid), [("0.0.0.0", s.port)])
        self.assertRegex(s.wait_for_stderr(r"(?i)warn[^\n]*non-loopback"), r"(?i)warn[^\n]*non-loopback")
        for path in ("/__replay/health", "/__replay/metrics"):
            status, body = http_get(s.port, path)
            self.assertIn(status, (401, 403), f"{path} open without --admin-token on 0.0.0.0")
            self.assertEqual(json.loads(body)["__type"], "AccessDeniedException")
        # The API itself still answers.
        tape = invocation_tapes()[0]
        conn = s.connection()
        status, _, _ = ssm_call(conn, "GetCommandInvocation", tape.params())
        conn.close()
        self.assertEqual(status, tape.answers[0][0])
        s.cleanup()

        s = self.serve(self.replay_store, "replay", "--log-level", "trace", "--admin-token", ADMIN_TOKEN,
                       listen="0.0.0.0:0")
        self.assertRegex(s.wait_for_stderr(r"(?i)warn[^\n]*non-loopback"), r"(?i)warn[^\n]*non-loopback")
        for path in ("/__replay/health", "/__replay/metrics"):
            self.assertIn(http_get(s.port, path)[0], (401, 403), f"{path} without a token")
            self.assertIn(http_get(s.port, path, {"X-Replay-Admin-Token": "wrong"})[0], (401, 403))
            self.assertIn(http_get(s.port, path, {"X-Replay-Admin-Token": ADMIN_TOKEN[:-1]})[0], (401, 403))
            self.assertEqual(http_get(s.port, path, {"X-Replay-Admin-Token": ADMIN_TOKEN})[0], 200)
            self.assertEqual(http_get(s.port, path, {"Authorization": f"Bearer {ADMIN_TOKEN}"})[0], 200)
        conn = s.connection()
        conn.request("POST", "/__replay/reset")
        self.assertIn(conn.getresponse().status, (401, 403))
        conn.close()
        conn = s.connection()
        conn.request("POST", "/__replay/reset", headers={"X-Replay-Admin-Token": ADMIN_TOKEN})
        r = conn.getresponse()
        r.read()
        self.assertEqual(r.status, 200)
        conn.close()
        self.assertEqual(s.stop(), 0)
        self.assert_no_secrets(s.output(), "replay on 0.0.0.0 with --admin-token at trace")

    # ---- credentials never logged ------------------------------------------------------------------

    def assert_no_secrets(self, text, where, extra=()):
        # On failure, name the line but never print it: it holds the credential.
        for secret in MARKERS + CORES + list(extra) + ["Authorization:", "X-Amz-Security-Token:",
                                                       "x-amz-security-token:"]:
            lines = [i + 1 for i, line in enumerate(text.splitlines()) if secret in line]
            self.assertFalse(lines, f"a credential ({secret[:4]}...) is in the log of {where}, lines {lines[:5]}")

    def client_calls(self, url, expect_hit=None):
        """Every kind of call a client makes, with the client's marker credentials on each: a boto3
        session (signed, with a session token) and raw requests. Returns the signatures boto3 sent."""
        signatures = []

        def keep_signature(request, **_):
            auth = request.headers.get("Authorization") or ""
            auth = auth.decode() if isinstance(auth, bytes) else auth
            m = re.search(r"Signature=([0-9a-f]+)", auth)
            if m:
                signatures.append(m.group(1))

        session = boto3.session.Session(aws_access_key_id=CL_KEY_ID, aws_secret_access_key=CL_SECRET,
                                        aws_session_token=CL_TOKEN, region_name="us-east-1")
        client = session.client("ssm", endpoint_url=url, config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"}))
        client.meta.events.register("before-send.ssm", keep_signature)
        params = expect_hit or {"CommandId": COMMAND_ID, "InstanceId": INSTANCE}
        try:
            client.get_command_invocation(**params)
        except botocore.exceptions.ClientError:
            pass
        for call in (lambda: client.get_command_invocation(CommandId="a" * 36, InstanceId="i-0fffffffffffffff0"),
                     lambda: client.describe_instance_information(),
                     lambda: client.send_command(DocumentName="AWS-RunShellScript", InstanceIds=[INSTANCE],
                                                 Parameters={"commands": ["env"]})):
            try:
                call()
            except botocore.exceptions.ClientError:
                pass

        port = int(url.rsplit(":", 1)[1])
        creds = {"Authorization": f"AWS4-HMAC-SHA256 Credential={CL_KEY_ID}/20261129/us-east-1/ssm/aws4_request, "
                                  f"SignedHeaders=host;x-amz-date, Signature={RAW_SIGNATURE}",
                 "X-Amz-Security-Token": CL_TOKEN}
        conn = http_conn(port)
        try:
            for action, body in (("GetCommandInvocation", b"{not json"),          # SerializationException
                                 ("NoSuchAction", b"{}"),                          # UnknownOperation
                                 ("GetCommandInvocation", b'{"CommandId": "short"}'),  # validation / miss
                                 ("GetCommandInvocation", b"x" * 70000)):          # 413 (--max-body 65536)
                try:
                    ssm_call(conn, action, body, creds)
                except (OSError, ConnectionError):
                    conn.close()
                    conn = http_conn(port)
            # Query-string credentials (presigned style) and an admin call carrying them.
            for method, path in (("POST", f"/?X-Amz-Credential={CL_KEY_ID}&X-Amz-Signature={RAW_SIGNATURE}"
                                          f"&X-Amz-Security-Token={CL_TOKEN}"),
                                 ("GET", f"/__replay/nothing?X-Amz-Security-Token={CL_TOKEN}")):
                conn.request(method, path, body=b"{}" if method == "POST" else None, headers=creds)
                conn.getresponse().read()
        finally:
            conn.close()
        self.assertTrue(signatures, "boto3 sent no signature: the scan would prove nothing")
        return signatures

    def test_no_credential_in_logs_record_mode(self):
        upstream = EchoUpstream()
        try:
            for level in ("trace", "debug", "info"):
                with self.subTest(level=level):
                    store = os.path.join(self.dir, f"record-{level}")
                    s = self.serve(store, "record", "--upstream", upstream.url, "--log-level", level,
                                   "--max-body", "65536", env=operator_env())
                    client_signatures = self.client_calls(s.url)
                    self.assertEqual(s.stop(), 0)
                    log = s.output()
                    self.assertIn("GetCommandInvocation", log, "no access log: the scan would prove nothing")
                    self.assertTrue(upstream.signatures, "the upstream saw no signed request")
                    self.assert_no_secrets(log, f"record --log-level {level}",
                                           extra=client_signatures + upstream.signatures)
        finally:
            upstream.stop()

    def test_no_credential_in_logs_replay_mode(self):
        tape = invocation_tapes()[0]
        for level in ("trace", "debug", "info"):
            with self.subTest(level=level):
                s = self.serve(self.replay_store, "replay", "--log-level", level, "--max-body", "65536",
                               "--admin-token", ADMIN_TOKEN)
                client_signatures = self.client_calls(s.url, expect_hit=tape.params())
                self.assertEqual(http_get(s.port, "/__replay/metrics", {"X-Replay-Admin-Token": ADMIN_TOKEN})[0],
                                 200)
                self.assertEqual(s.stop(), 0)
                log = s.output()
                self.assertIn("GetCommandInvocation", log, "no access log: the scan would prove nothing")
                self.assert_no_secrets(log, f"replay --log-level {level}", extra=client_signatures)


def http_conn(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


if __name__ == "__main__":
    unittest.main()
