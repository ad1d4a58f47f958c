"""Security of `serve`: it listens on loopback unless told otherwise (checked on the socket actually
bound); a non-loopback listen logs a warning and its admin endpoints need --admin-token; and no
credential ever reaches the logs, at any --log-level: neither the operator's (record mode: access key
id, secret, session token, the signatures made with them, even when upstream echoes them back) nor a
client's (Authorization, X-Amz-Security-Token, signatures, query-string credentials), in record and
replay modes, on answers, errors, misses and refusals alike."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import boto3
import botocore.config
import botocore.exceptions

from fixture_tapes import invocation_tapes
from harness import ServeProcess, import_fixtures, run_tool, ssm_call
from procfs import listening_sockets
from server_log import log_lines_at
from upstreams import EchoUpstream, operator_env

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


# serve in a network namespace of its own, where nothing else listens (so 127.0.0.1:4580 is free):
# unshare (util-linux) maps the caller to root in a new user namespace, which may bring the new
# loopback up (SIOCSIFFLAGS: IFF_UP | IFF_LOOPBACK), then the program given runs there.
LOOPBACK_UP_THEN_EXEC = ("import fcntl, os, socket, struct, sys\n"
                         "with socket.socket() as s:\n"
                         "    fcntl.ioctl(s, 0x8914, struct.pack('16sH22x', b'lo', 0x1 | 0x8))\n"
                         "os.execv(sys.argv[1], sys.argv[1:])\n")
NETNS = ["unshare", "--net", "--map-root-user", sys.executable, "-c", LOOPBACK_UP_THEN_EXEC]
# GET PATH on 127.0.0.1:PORT, run inside that namespace by nsenter: prints the HTTP status.
PROBE = ("import http.client, sys\n"
         "c = http.client.HTTPConnection('127.0.0.1', int(sys.argv[1]), timeout=2)\n"
         "c.request('GET', sys.argv[2])\n"
         "print(c.getresponse().status)\n")


def netns_available():
    """(True, "") when NETNS can run here; else (False, why not)."""
    try:
        proc = subprocess.run([*NETNS, shutil.which("true")], capture_output=True, text=True, timeout=30)
    except OSError as e:
        return False, str(e)
    return proc.returncode == 0, proc.stderr.strip()


class NetnsServe(ServeProcess):
    """serve started by NETNS; reached from inside its namespace only, through nsenter."""

    def __init__(self, store, mode, *args, **kw):
        super().__init__(store, mode, *args, launcher=NETNS, **kw)

    def status_inside(self, path):
        proc = subprocess.run(["nsenter", "--target", str(self.pid), "--user", "--net", "--preserve-credentials",
                               sys.executable, "-c", PROBE, str(self.port), path],
                              capture_output=True, text=True, timeout=30)
        return int(proc.stdout) if proc.returncode == 0 else None

    def answers_http(self):
        return self.status_inside("/__replay/health") is not None


def port_free_here(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


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

    def serve(self, store, mode, *args, server=ServeProcess, **kw):
        s = server(store, mode, *args, **kw)
        self.servers.append(s)
        return s

    # ---- listening -----------------------------------------------------------------------------------

    def test_listens_on_loopback_unless_told(self):
        help_text = run_tool("serve", "--help", timeout=30).stdout
        self.assertRegex(help_text, r"--listen[^\n]*\n?[^\n]*127\.0\.0\.1:4580")
        # Port 0: the socket really is bound to 127.0.0.1 only.
        s = self.serve(self.replay_store, "replay", "--log-level", "info")
        self.assertEqual(listening_sockets(s.pid), [("127.0.0.1", s.port)])
        self.assertEqual(s.http("GET", "/__replay/health")[0], 200)
        self.assertEqual(s.stop(), 0)
        self.assertNotIn("non-loopback", s.stderr())

    def test_default_listen_is_loopback_4580(self):
        # No --listen at all: the documented default, checked on the socket bound. In a network
        # namespace of its own 4580 is surely free; without one, on this machine's loopback if 4580 is
        # free here, else the test fails: it never passes without having looked.
        usable, why = netns_available()
        if usable:
            s = self.serve(self.replay_store, "replay", "--log-level", "info", listen=None, server=NetnsServe)
            health = s.status_inside("/__replay/health")
        elif port_free_here(4580):
            s = self.serve(self.replay_store, "replay", "--log-level", "info", listen=None)
            health = s.http("GET", "/__replay/health")[0]
        else:
            self.fail(f"cannot check the default listen address: no network namespace ({' '.join(NETNS[:3])}: "
                      f"{why}) and 127.0.0.1:4580 is in use on this machine")
        self.assertEqual((s.host, s.port), ("127.0.0.1", 4580))
        self.assertEqual(listening_sockets(s.pid), [("127.0.0.1", 4580)])
        self.assertEqual(health, 200)
        self.assertEqual(s.stop(), 0)

    def wait_for_non_loopback_warning(self, s):
        s.wait_for_stderr(lambda log: any("non-loopback" in line for line in log_lines_at(log, "warn")),
                          what="a warning that the listen address is not loopback")

    def test_non_loopback_listen_warns_and_admin_needs_token(self):
        # Bound on every interface (never connected to but through 127.0.0.1).
        s = self.serve(self.replay_store, "replay", "--log-level", "info", listen="0.0.0.0:0")
        self.assertEqual(s.host, "0.0.0.0")
        self.assertEqual(listening_sockets(s.pid), [("0.0.0.0", s.port)])
        self.wait_for_non_loopback_warning(s)
        for path in ("/__replay/health", "/__replay/metrics"):
            status, _, body = s.http("GET", path)
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
        self.wait_for_non_loopback_warning(s)
        for path in ("/__replay/health", "/__replay/metrics"):
            self.assertIn(s.http("GET", path)[0], (401, 403), f"{path} without a token")
            self.assertIn(s.http("GET", path, token="wrong")[0], (401, 403))
            self.assertIn(s.http("GET", path, token=ADMIN_TOKEN[:-1])[0], (401, 403))
            self.assertEqual(s.http("GET", path, token=ADMIN_TOKEN)[0], 200)
            self.assertEqual(s.http("GET", path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})[0], 200)
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

    def client_calls(self, server, expect_hit=None):
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
        client = session.client("ssm", endpoint_url=server.url, config=botocore.config.Config(
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

        creds = {"Authorization": f"AWS4-HMAC-SHA256 Credential={CL_KEY_ID}/20261129/us-east-1/ssm/aws4_request, "
                                  f"SignedHeaders=host;x-amz-date, Signature={RAW_SIGNATURE}",
                 "X-Amz-Security-Token": CL_TOKEN}
        conn = server.connection()
        try:
            for action, body in (("GetCommandInvocation", b"{not json"),          # SerializationException
                                 ("NoSuchAction", b"{}"),                          # UnknownOperation
                                 ("GetCommandInvocation", b'{"CommandId": "short"}'),  # validation / miss
                                 ("GetCommandInvocation", b"x" * 70000)):          # 413 (--max-body 65536)
                try:
                    ssm_call(conn, action, body, creds)
                except (OSError, ConnectionError):
                    conn.close()
                    conn = server.connection()
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
        upstream = EchoUpstream(OP_KEY_ID, COMMAND_ID)
        try:
            for level in ("trace", "debug", "info"):
                with self.subTest(level=level):
                    store = os.path.join(self.dir, f"record-{level}")
                    s = self.serve(store, "record", "--upstream", upstream.url, "--log-level", level,
                                   "--max-body", "65536", env=operator_env(True, OP_KEY_ID, OP_SECRET, OP_TOKEN))
                    client_signatures = self.client_calls(s)
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
                client_signatures = self.client_calls(s, expect_hit=tape.params())
                self.assertEqual(s.http("GET", "/__replay/metrics", token=ADMIN_TOKEN)[0], 200)
                self.assertEqual(s.stop(), 0)
                log = s.output()
                self.assertIn("GetCommandInvocation", log, "no access log: the scan would prove nothing")
                self.assert_no_secrets(log, f"replay --log-level {level}", extra=client_signatures)



if __name__ == "__main__":
    unittest.main()
