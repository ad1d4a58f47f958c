"""Record path against a signature-checking upstream: every forwarded request is signed with the
operator's credentials (with and without a session token), a wrong secret reaches the client as AWS's
403 and changes nothing in the store, secrets never reach the store, --redact works, and auto mode
forwards only what it has not recorded."""
import json
import os
import shutil
import tempfile
import unittest

import botocore.exceptions

from harness import (ServeProcess, clean_env, export_bytes, export_tapes, response_json, run_serve_expect_failure,
                     store_bytes)
from server_log import access_entries
from upstreams import (CLIENT_KEY_ID, OPERATOR_KEY_ID, OPERATOR_SECRET, OPERATOR_TOKEN, SigCheckUpstream,
                       forbidden_strings, operator_env, proxy_cli, proxy_client)

COMMAND_ID = "9f8e7d6c-5b4a-4321-8fed-cba987654321"
INSTANCE_A = "i-0aaaaaaaaaaaaaaaa"
INSTANCE_B = "i-0bbbbbbbbbbbbbbbb"
MARKER = "MARKER-4242"
PRINTED_KEY = "AKIAPRINTEDBYCOMMAND"
URL_SIGNATURE = "5d41402abc4b2a76b9719d911017c592ae1f2b0c7d9e8f7a6b5c4d3e2f1a0b9c"
PRESIGNED = ("https://bucket.s3.us-east-1.amazonaws.com/out/stdout?X-Amz-Algorithm=AWS4-HMAC-SHA256"
             f"&X-Amz-Credential={PRINTED_KEY}%2F20261129%2Fus-east-1%2Fs3%2Faws4_request"
             f"&X-Amz-Date=20261129T080000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature={URL_SIGNATURE}")


def send_command(body, n):
    return 200, {"Command": {"CommandId": COMMAND_ID, "DocumentName": "AWS-RunShellScript",
                             "InstanceIds": body.get("InstanceIds", []), "Status": "Pending",
                             "Parameters": body.get("Parameters", {})}}


def get_command_invocation(body, n):
    status = "InProgress" if n == 0 else "Success"
    return 200, {"CommandId": body["CommandId"], "InstanceId": body["InstanceId"], "Comment": "",
                 "DocumentName": "AWS-RunShellScript", "PluginName": "aws:runShellScript",
                 "ResponseCode": -1 if n == 0 else 0, "Status": status, "StatusDetails": status,
                 "StandardOutputContent": "" if n == 0 else f"hello {MARKER} key={PRINTED_KEY}\n",
                 "StandardOutputUrl": "" if n == 0 else PRESIGNED, "StandardErrorContent": ""}


ANSWERS = {"SendCommand": send_command, "GetCommandInvocation": get_command_invocation}


class RecordSigningTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-sign-")
        self.store = os.path.join(self.dir, "store")
        self.cleanups = []

    def tearDown(self):
        for stop in reversed(self.cleanups):
            stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def upstream(self, token=""):
        u = SigCheckUpstream(token=token, answers=ANSWERS)
        self.cleanups.append(u.stop)
        return u

    def serve(self, mode, *args, env):
        s = ServeProcess(self.store, mode, *args, env=env)
        self.cleanups.append(s.close)
        return s

    def assert_store_clean(self, upstream, extra=()):
        forbidden = forbidden_strings(extra) + upstream.signatures()
        stored, exported = store_bytes(self.store), export_bytes(self.store)
        self.assertTrue(exported)
        for s in forbidden:
            self.assertNotIn(s.encode(), stored, "a secret is in the store files")
            self.assertNotIn(s.encode(), exported, "a secret is in the export")

    def test_every_forwarded_request_is_correctly_signed(self):
        for with_token in (False, True):
            with self.subTest(session_token=with_token):
                shutil.rmtree(self.store, ignore_errors=True)
                up = self.upstream(OPERATOR_TOKEN if with_token else "")
                proxy = self.serve("record", "--upstream", up.url, env=operator_env(with_token=with_token))
                client = proxy_client(proxy.url)
                sent = client.send_command(InstanceIds=[INSTANCE_A], DocumentName="AWS-RunShellScript",
                                           Parameters={"commands": ["echo hello"]})
                self.assertEqual(sent["Command"]["CommandId"], COMMAND_ID)
                first = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
                second = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
                self.assertEqual((first["Status"], second["Status"]), ("InProgress", "Success"))
                rc, out, err = proxy_cli(proxy.url, "get-command-invocation", "--command-id", COMMAND_ID,
                                       "--instance-id", INSTANCE_A)
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out)["Status"], "Success")
                proxy.stop()

                self.assertEqual(up.count(), 4)
                self.assertEqual(up.verdicts(), [None] * 4, "a forwarded request was not signed correctly")
                for _, _, headers, _ in up.requests:
                    self.assertIn(OPERATOR_KEY_ID, headers["Authorization"])
                    self.assertNotIn(CLIENT_KEY_ID, json.dumps(headers))
                    self.assertEqual("X-Amz-Security-Token" in headers, with_token)
                tapes = export_tapes(self.store)
                invocation = [t for p, t in tapes.items() if p.startswith("get-command-invocation/")]
                self.assertEqual(len(invocation), 1)
                self.assertEqual([response_json(i)["Status"] for i in invocation[0]["interactions"]],
                                 ["InProgress", "Success", "Success"])
                self.assert_store_clean(up, extra=[PRINTED_KEY, URL_SIGNATURE])

    def test_wrong_secret_reaches_client_as_403_and_store_is_unchanged(self):
        up = self.upstream(OPERATOR_TOKEN)
        good = self.serve("record", "--upstream", up.url, env=operator_env(with_token=True))
        proxy_client(good.url).get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        good.stop()
        before = export_bytes(self.store)
        self.assertIn(b"InProgress", before)

        bad = self.serve("record", "--upstream", up.url,
                         env=operator_env(with_token=True, secret="not-the-operators-secret"))
        raw = []
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            proxy_client(bad.url, raw=raw).get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_B)
        error = caught.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(error["Error"]["Code"], "InvalidSignatureException")
        # AWS's message quotes the canonical request, token included: the client must not get the token.
        self.assertNotIn(OPERATOR_TOKEN, error["Error"]["Message"])
        self.assertNotIn(OPERATOR_TOKEN.encode(), b"".join(raw))
        bad.stop()
        log = bad.stderr()
        self.assertIn("InvalidSignatureException", log)
        self.assertIn("NOT recorded", log)
        for secret in (OPERATOR_SECRET, OPERATOR_TOKEN, "not-the-operators-secret"):
            self.assertNotIn(secret, log)
        self.assertEqual(export_bytes(self.store), before, "an authentication failure changed the store")

    def test_redact_removes_printed_marker_and_url_credentials(self):
        up = self.upstream()
        proxy = self.serve("record", "--upstream", up.url, "--redact", "MARKER-[0-9]+", env=operator_env())
        client = proxy_client(proxy.url)
        # The marker is in the request too (the command that prints it): not even the key may keep it.
        client.send_command(InstanceIds=[INSTANCE_A], DocumentName="AWS-RunShellScript",
                            Parameters={"commands": [f"echo {MARKER}"]})
        client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        live = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        # The client of a record run sees upstream's answer unchanged.
        self.assertIn(MARKER, live["StandardOutputContent"])
        proxy.stop()
        exported = export_bytes(self.store)
        self.assertIn(b"[REDACTED]", exported)
        for s in (MARKER, PRINTED_KEY, URL_SIGNATURE):
            self.assertNotIn(s.encode(), exported)
        self.assert_store_clean(up, extra=[MARKER, PRINTED_KEY, URL_SIGNATURE])

        replay = self.serve("replay", env=clean_env())
        client = proxy_client(replay.url)
        client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        replayed = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        self.assertEqual(replayed["StandardOutputContent"], "hello [REDACTED] key=[REDACTED]\n")
        self.assertIn("X-Amz-Signature=[REDACTED]", replayed["StandardOutputUrl"])
        self.assertIn("X-Amz-Credential=[REDACTED]", replayed["StandardOutputUrl"])

    def test_auto_mode_forwards_only_unrecorded_keys(self):
        up = self.upstream()
        recorder = self.serve("record", "--upstream", up.url, env=operator_env())
        recorded = proxy_client(recorder.url).get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        recorder.stop()
        self.assertEqual(up.count(), 1)

        auto = self.serve("auto", "--upstream", up.url, env=operator_env())
        client = proxy_client(auto.url)
        hit = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        self.assertEqual(up.count(), 1, "a recorded key was forwarded")
        self.assertEqual(hit["Status"], recorded["Status"])

        first_b = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_B)
        self.assertEqual(up.count(), 2)
        again_b = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_B)
        # Upstream would now say Success: an InProgress proves the answer was replayed.
        self.assertEqual(up.count(), 2, "an auto-recorded key was forwarded again")
        self.assertEqual(first_b["Status"], "InProgress")
        self.assertEqual(again_b["Status"], "InProgress")
        auto.stop()
        self.assertIn("recorded", [e["outcome"] for e in access_entries(auto.stderr())])

    def test_passthrough_forwards_and_records_nothing(self):
        up = self.upstream()
        proxy = self.serve("passthrough", "--upstream", up.url, env=operator_env())
        client = proxy_client(proxy.url)
        a = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        b = client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_A)
        self.assertEqual((a["Status"], b["Status"]), ("InProgress", "Success"))
        self.assertEqual(up.count(), 2)
        self.assertEqual(up.verdicts(), [None, None])
        proxy.stop()
        self.assertEqual(export_tapes(self.store), {})

    def test_refuses_to_start_without_credentials_or_region(self):
        env = clean_env(AWS_REGION="us-east-1")
        rc, err = run_serve_expect_failure(self.store, "record", "--upstream", "http://127.0.0.1:9", env=env)
        self.assertNotEqual(rc, 0)
        self.assertIn("AWS_ACCESS_KEY_ID", err)
        self.assertIn(env["AWS_SHARED_CREDENTIALS_FILE"], err)

        env = operator_env()
        del env["AWS_REGION"]
        rc, err = run_serve_expect_failure(self.store, "record", "--upstream", "http://127.0.0.1:9", env=env)
        self.assertNotEqual(rc, 0)
        self.assertIn("--region", err)
        self.assertIn("AWS_REGION", err)
        self.assertNotIn(OPERATOR_SECRET, err)


if __name__ == "__main__":
    unittest.main()
