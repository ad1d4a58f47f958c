"""Record against moto's SSM emulator with real clients, then replay offline.

The AWS CLI and boto3 run send-command then get-command-invocation through `serve --mode record` with
moto as --upstream; moto is stopped; the same calls against `serve --mode replay` on the recorded store
get byte-identical answers in the same order. The store and its export hold no credential. Upstream
transport failures reach the client as 502 and record nothing."""
import json
import os
import shutil
import tempfile
import unittest

import boto3
import botocore.exceptions

from harness import ServeProcess, clean_env, export_bytes, export_tapes, store_bytes
from upstreams import Moto, forbidden_strings, free_port, operator_env, proxy_cli, proxy_client

DOCUMENT = "AWS-RunShellScript"


class RecordMotoTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-moto-")
        self.store = os.path.join(self.dir, "store")
        self.cleanups = []
        self.moto = Moto()
        self.cleanups.append(self.moto.stop)
        ec2 = boto3.client("ec2", endpoint_url=self.moto.url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        reservation = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
        self.instance = reservation["Instances"][0]["InstanceId"]

    def tearDown(self):
        for stop in reversed(self.cleanups):
            stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, mode, *args, env):
        s = ServeProcess(self.store, mode, *args, env=env)
        self.cleanups.append(s.close)
        return s

    def flow(self, url, command_ids=None):
        """The client calls of one run: the AWS CLI's outputs and boto3's raw answer bodies, in order.
        On replay, `command_ids` (from the record run) stand in for the ids SendCommand answered."""
        outputs, raw = [], []
        rc, out, err = proxy_cli(url, "send-command", "--document-name", DOCUMENT, "--instance-ids", self.instance,
                               "--parameters", "commands=echo hello")
        self.assertEqual(rc, 0, err)
        outputs.append(out)
        cli_command = json.loads(out)["Command"]["CommandId"]
        rc, out, err = proxy_cli(url, "get-command-invocation", "--command-id", cli_command,
                               "--instance-id", self.instance)
        self.assertEqual(rc, 0, err)
        outputs.append(out)

        client = proxy_client(url, raw=raw)
        sent = client.send_command(InstanceIds=[self.instance], DocumentName=DOCUMENT,
                                   Parameters={"commands": ["echo hello"]})
        boto_command = sent["Command"]["CommandId"]
        for _ in range(2):
            invocation = client.get_command_invocation(CommandId=boto_command, InstanceId=self.instance)
            self.assertEqual(invocation["CommandId"], boto_command)
        # An AWS error is recorded and replayed too.
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            client.get_command_invocation(CommandId=boto_command, InstanceId="i-00000000000000000")
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvocationDoesNotExist")
        return outputs, raw, (cli_command, boto_command)

    def test_record_then_replay_offline_byte_identical(self):
        proxy = self.serve("record", "--upstream", self.moto.url, env=operator_env(with_token=True))
        recorded_outputs, recorded_raw, ids = self.flow(proxy.url)
        self.assertNotEqual(ids[0], ids[1])
        self.assertEqual(len(recorded_raw), 4)  # SendCommand, 2 invocations, 1 AWS error
        proxy.stop()
        self.moto.stop()

        for s in forbidden_strings():
            self.assertNotIn(s.encode(), store_bytes(self.store))
            self.assertNotIn(s.encode(), export_bytes(self.store))
        tapes = export_tapes(self.store)
        send_tapes = [t for p, t in tapes.items() if p.startswith("send-command/")]
        # The CLI's and boto3's SendCommand have the same canonical body: one tape, two entries in order.
        self.assertEqual(len(send_tapes), 1)
        self.assertEqual(len(send_tapes[0]["interactions"]), 2)
        for tape in tapes.values():
            for interaction in tape["interactions"]:
                self.assertEqual(interaction["source"], "record " + self.moto.url)

        replay = self.serve("replay", env=clean_env())
        replayed_outputs, replayed_raw, replay_ids = self.flow(replay.url)
        self.assertEqual(replay_ids, ids)
        self.assertEqual(replayed_outputs, recorded_outputs)
        self.assertEqual(replayed_raw, recorded_raw)

    def test_record_run_replaces_tapes_and_append_keeps_them(self):
        def one_call(*extra):
            proxy = self.serve("record", "--upstream", self.moto.url, *extra, env=operator_env())
            proxy_client(proxy.url).list_commands()
            proxy.stop()
            tapes = export_tapes(self.store)
            self.assertEqual(len(tapes), 1)
            return len(next(iter(tapes.values()))["interactions"])

        self.assertEqual(one_call(), 1)
        self.assertEqual(one_call(), 1, "recording again doubled the tape")
        self.assertEqual(one_call("--append"), 2)

    def test_unreachable_upstream_is_a_502_and_records_nothing(self):
        dead = f"http://127.0.0.1:{free_port()}"
        proxy = self.serve("record", "--upstream", dead, "--upstream-timeout", "2", env=operator_env())
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            proxy_client(proxy.url).list_commands()
        error = caught.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 502)
        self.assertEqual(error["Error"]["Code"], "UpstreamUnreachableException")
        self.assertIn(dead, error["Error"]["Message"])
        proxy.stop()
        self.assertEqual(export_tapes(self.store), {})


if __name__ == "__main__":
    unittest.main()
