"""Replay with real clients: the AWS CLI and boto3 (its command_executed waiter) against
`ssm-replay serve --mode replay` over the bundled fixtures, offline, with dummy credentials.

Fixture keys and sequences are read from fixtures/ at test time, so these tests follow the fixtures."""
import concurrent.futures
import json
import os
import shlex
import signal
import subprocess
import tempfile
import time
import unittest

import botocore.exceptions

from fixture_tapes import WAITER_FAILURE, fixture_tapes, invocation_tapes
from harness import (FixturesServerTest, DUMMY_KEY_ID, DUMMY_SECRET, DUMMY_TOKEN, ReplayServer, client_env, count_calls, import_fixtures,
                     run_tool, store_digest)
from server_log import access_entries

NO_DELAY = {"Delay": 0, "MaxAttempts": 20}


def ending_in(states):
    """Invocation tapes the command_executed waiter ends on one of `states`, longest first."""
    tapes = [t for t in invocation_tapes() if t.waiter_end() and t.waiter_end()[1] in states]
    return sorted(tapes, key=lambda t: -t.waiter_end()[0])


class ReplayClientsTest(FixturesServerTest):
    def setUp(self):
        self.server.reset()

    def test_fixtures_present(self):
        self.assertTrue(ending_in({"Success"}), "fixtures need a GetCommandInvocation tape ending in Success")
        self.assertTrue(ending_in(WAITER_FAILURE), "fixtures need a tape ending in a failure state")

    # -- the AWS CLI -------------------------------------------------------------------------------------

    def test_aws_cli_plays_the_recorded_sequence(self):
        tape = ending_in({"Success"})[0]
        args = ["get-command-invocation", "--command-id", tape.command_id, "--instance-id", tape.instance_id]
        if tape.plugin_name is not None:
            args += ["--plugin-name", tape.plugin_name]
        states = tape.states()
        for i in range(len(states) + 2):  # past the end the last answer repeats
            expected = states[min(i, len(states) - 1)]
            rc, out, err = self.server.aws_cli(*args)
            if tape.answers[min(i, len(states) - 1)][0] >= 300:
                self.assertNotEqual(rc, 0)
                self.assertIn(f"({expected})", err)
            else:
                self.assertEqual(rc, 0, err)
                self.assertEqual(json.loads(out)["Status"], expected)

    def test_aws_cli_miss_is_replay_miss_exception(self):
        tape = ending_in({"Success"})[0]
        other = "i-" + "0" * 17
        rc, _, err = self.server.aws_cli("get-command-invocation", "--command-id", tape.command_id,
                                         "--instance-id", other)
        self.assertNotEqual(rc, 0)
        self.assertIn("ReplayMissException", err)
        self.assertIn(other, err)

    def test_print_example_command_works(self):
        with ReplayServer("--print-example") as server:
            line = server.wait_for_stdout(r"[^\n]*aws ssm get-command-invocation[^\n]*\n").group(0)
            self.assertIn(f"--endpoint-url {server.url}", line)
            argv = shlex.split(line.strip())
            env_assignments = [a for a in argv if "=" in a and a.split("=")[0].isupper()]
            self.assertEqual([a.split("=")[0] for a in env_assignments], ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
            env = client_env()
            for a in env_assignments:
                k, v = a.split("=", 1)
                env[k] = v
            env.pop("AWS_SESSION_TOKEN")
            proc = subprocess.run(argv[len(env_assignments):], capture_output=True, text=True, env=env, timeout=60)
            # The first recorded answer may be an error (eventual consistency); either way it came from a tape.
            self.assertNotIn("ReplayMissException", proc.stderr)
            self.assertNotIn("Could not connect", proc.stderr)
            self.assertTrue(proc.returncode == 0 or "An error occurred" in proc.stderr, proc.stderr)

    # -- boto3 waiter ------------------------------------------------------------------------------------

    def test_waiter_reaches_success_with_same_calls_after_reset(self):
        for tape in ending_in({"Success"}):
            with self.subTest(tape=tape):
                expected_polls, _ = tape.waiter_end()
                self.server.reset()
                client = self.server.ssm_client()
                calls = count_calls(client)
                before = self.server.requests_count("GetCommandInvocation", "hit")
                client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tape.params())
                self.assertEqual(calls[0], expected_polls)
                self.assertEqual(self.server.requests_count("GetCommandInvocation", "hit") - before, expected_polls)

                self.server.reset()
                calls[0] = 0
                client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tape.params())
                self.assertEqual(calls[0], expected_polls)
                final = client.get_command_invocation(**tape.params())
                self.assertEqual(final["Status"], "Success")

    def test_waiter_fails_on_the_recorded_failure_state(self):
        tapes = ending_in(WAITER_FAILURE)
        self.assertTrue(tapes)
        for tape in tapes:
            with self.subTest(tape=tape):
                polls, state = tape.waiter_end()
                client = self.server.ssm_client()
                calls = count_calls(client)
                with self.assertRaises(botocore.exceptions.WaiterError) as caught:
                    client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tape.params())
                self.assertEqual(caught.exception.last_response["Status"], state)
                self.assertIn("terminal failure state", str(caught.exception))
                self.assertEqual(calls[0], polls)

    def test_waiter_polls_through_eventual_consistency(self):
        tapes = [t for t in ending_in({"Success"}) if t.states()[0] == "InvocationDoesNotExist"]
        if not tapes:
            self.fail("no bundled fixture starts with InvocationDoesNotExist: fixtures/ must cover it")
        client = self.server.ssm_client()
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            client.get_command_invocation(**tapes[0].params())
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvocationDoesNotExist")
        self.server.reset()
        client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tapes[0].params())

    def test_concurrent_waiters_on_different_keys(self):
        tapes = [t for t in invocation_tapes() if t.waiter_end()]
        self.assertGreaterEqual(len(tapes), 2)

        def run(tape):
            client = self.server.ssm_client()
            calls = count_calls(client)
            polls, state = tape.waiter_end()
            try:
                client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tape.params())
                outcome = "Success"
            except botocore.exceptions.WaiterError as e:
                outcome = (e.last_response.get("Status") or
                           e.last_response.get("Error", {}).get("Code"))
            return tape, calls[0], polls, outcome, state

        for _ in range(3):  # the same outcome every round, after a reset
            self.server.reset()
            with concurrent.futures.ThreadPoolExecutor(len(tapes)) as pool:
                results = list(pool.map(run, tapes))
            for tape, calls, polls, outcome, state in results:
                self.assertEqual((calls, outcome), (polls, state), tape)

    def test_miss_surfaces_as_replay_miss_exception(self):
        tape = ending_in({"Success"})[0]
        client = self.server.ssm_client()
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            client.get_command_invocation(CommandId=tape.command_id, InstanceId="i-0fffffffffffffff0")
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "ReplayMissException")
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertIn("GetCommandInvocation", error["Message"])
        self.assertIn("i-0fffffffffffffff0", error["Message"])
        self.assertIn(tape.instance_id, error["Message"])  # nearest key: same command, other instance
        self.assertGreaterEqual(self.server.requests_count("GetCommandInvocation", "miss"), 1)

    def test_miss_with_bad_instance_id_is_validation_exception(self):
        tape = ending_in({"Success"})[0]
        client = self.server.ssm_client()
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            client.get_command_invocation(CommandId=tape.command_id, InstanceId="i-083e1601960282cd")
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "ValidationException")
        self.assertEqual(error["Message"],
                         "1 validation error detected: Value 'i-083e1601960282cd' at 'instanceId' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         r"(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)")
        # botocore checks min lengths itself, so a short CommandId is sent raw.
        status, _, body = self.server.call("GetCommandInvocation", {"CommandId": "abc", "InstanceId": tape.instance_id})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "ValidationException")
        self.assertIn("at 'commandId'", json.loads(body)["message"])

    def test_plugin_name_absent_and_present_are_different_tapes(self):
        with_plugin = [t for t in invocation_tapes() if t.plugin_name is not None and t.answers[0][0] == 200]
        if not with_plugin:
            self.fail("no bundled fixture is keyed with a PluginName: fixtures/ must cover it")
        tape = with_plugin[0]
        status, _, body = self.server.call("GetCommandInvocation", tape.params())
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), tape.answers[0][1])
        absent = {"CommandId": tape.command_id, "InstanceId": tape.instance_id}
        recorded_absent = [t for t in invocation_tapes() if t.params() == absent]
        status, _, body = self.server.call("GetCommandInvocation", absent)
        if recorded_absent:
            self.assertEqual(json.loads(body), recorded_absent[0].answers[0][1])
        else:
            self.assertEqual(status, 404)
            self.assertIn(tape.plugin_name, json.loads(body)["message"])  # listed as a nearest key

    # -- determinism -------------------------------------------------------------------------------------

    def play(self, server, tapes, rounds):
        out = []
        for tape in tapes:
            for _ in range(rounds):
                status, headers, body = server.call(tape.action, tape.params() if tape.action == "GetCommandInvocation"
                                                    else tape.request)
                out.append((status, headers.get("content-type"), headers.get("x-amzn-requestid"), body))
        return out

    def test_byte_identical_after_reset_and_restart(self):
        tapes = fixture_tapes()
        rounds = max(len(t.answers) for t in tapes) + 1
        with ReplayServer() as server:
            first = self.play(server, tapes, rounds)
            server.reset()
            self.assertEqual(self.play(server, tapes, rounds), first)
            server.restart()
            self.assertEqual(self.play(server, tapes, rounds), first)
        # Bodies are the recorded JSON, and recorded headers (request id) are replayed as is.
        for (status, ctype, request_id, body) in first:
            self.assertEqual(ctype, "application/x-amz-json-1.1")
            self.assertTrue(request_id)

    def test_sequence_answers_match_fixture(self):
        for tape in fixture_tapes():
            with self.subTest(tape=tape):
                params = tape.params() if tape.action == "GetCommandInvocation" else tape.request
                for want_status, want_body in tape.answers + [tape.answers[-1]]:
                    status, _, body = self.server.call(tape.action, params)
                    self.assertEqual(status, want_status)
                    if want_body is not None:
                        self.assertEqual(json.loads(body), want_body)

    def test_reset_one_key(self):
        tapes = [t for t in ending_in({"Success"}) if len(t.answers) >= 2]
        tape = tapes[0]
        self.server.call("GetCommandInvocation", tape.params())
        _, _, second = self.server.call("GetCommandInvocation", tape.params())
        key = {"CommandId": tape.command_id, "InstanceId": tape.instance_id}
        if tape.plugin_name is not None:
            key["PluginName"] = tape.plugin_name
        self.assertTrue(self.server.reset(**key)["had_cursor"])
        _, _, again = self.server.call("GetCommandInvocation", tape.params())
        self.assertEqual(json.loads(again) if again else None, tape.answers[0][1])
        self.assertNotEqual(again, second)

    def test_order_last(self):
        tape = ending_in({"Success"})[0]
        with ReplayServer("--order", "last") as server:
            for _ in range(2):
                status, _, body = server.call("GetCommandInvocation", tape.params())
                self.assertEqual((status, json.loads(body)), tape.answers[-1])
            client = server.ssm_client()
            calls = count_calls(client)
            client.get_waiter("command_executed").wait(WaiterConfig=NO_DELAY, **tape.params())
            self.assertEqual(calls[0], 1)

    def test_latency_fixed_delays_answers(self):
        # A lower bound only: the server must wait at least the configured time (no upper-bound timing).
        tape = ending_in({"Success"})[0]
        with ReplayServer("--latency", "fixed:300") as server:
            started = time.monotonic()
            status, _, _ = server.call("GetCommandInvocation", tape.params())
            self.assertGreaterEqual(time.monotonic() - started, 0.3)
            self.assertEqual(status, tape.answers[0][0])
        proc = run_tool("serve", "--store", self.server.store, "--listen", "127.0.0.1:0", "--latency", "slow")
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("--latency", proc.stderr)

    # -- bad requests ------------------------------------------------------------------------------------

    def test_malformed_requests_get_aws_shaped_errors_and_leave_the_store_alone(self):
        before = store_digest(self.server.store)
        cases = [
            ("bad json", "POST", "/", b'{"CommandId": ', {"X-Amz-Target": "AmazonSSM.GetCommandInvocation"},
             400, "SerializationException"),
            ("not an object", "POST", "/", b"[1]", {"X-Amz-Target": "AmazonSSM.ListCommands"},
             400, "SerializationException"),
            ("unknown target", "POST", "/", b"{}", {"X-Amz-Target": "AmazonSSM.DoesNotExist"},
             400, "UnknownOperationException"),
            ("missing target", "POST", "/", b"{}", {}, 400, "UnknownOperationException"),
            ("wrong path", "POST", "/v1/commands", b"{}", {"X-Amz-Target": "AmazonSSM.ListCommands"},
             404, "NotFoundException"),
            ("wrong method", "GET", "/", b"", {"X-Amz-Target": "AmazonSSM.ListCommands"},
             405, "MethodNotAllowedException"),
            ("put", "PUT", "/", b"{}", {"X-Amz-Target": "AmazonSSM.ListCommands"},
             405, "MethodNotAllowedException"),
        ]
        for name, method, path, body, headers, want_status, want_type in cases:
            with self.subTest(name):
                headers = dict(headers, **{"Content-Type": "application/x-amz-json-1.1"})
                status, hdrs, data = self.server.http(method, path, body, headers)
                self.assertEqual(status, want_status)
                self.assertEqual(hdrs.get("content-type"), "application/x-amz-json-1.1")
                self.assertEqual(len(hdrs.get("x-amzn-requestid", "")), 36)
                err = json.loads(data)
                self.assertEqual(err["__type"], want_type)
                self.assertTrue(err["message"])
        self.assertEqual(store_digest(self.server.store), before)
        self.assertGreaterEqual(self.server.requests_count("GetCommandInvocation", "error"), 1)
        self.assertGreaterEqual(self.server.requests_count("-", "error"), 1)

    def test_botocore_surfaces_unknown_operation(self):
        status, _, data = self.server.call("NoSuchOperation", {})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(data)["__type"], "UnknownOperationException")

    def test_oversized_body_is_413(self):
        with ReplayServer("--max-body", "1024") as server:
            before = store_digest(server.store)
            big = json.dumps({"Comment": "x" * 4096})
            status, _, data = server.call("ListCommands", big)
            self.assertEqual(status, 413)
            self.assertEqual(json.loads(data)["__type"], "RequestEntityTooLargeException")
            status, _, _ = server.call("ListCommands", json.dumps({"Comment": "x" * 100}))
            self.assertNotEqual(status, 413)
            self.assertEqual(store_digest(server.store), before)
            self.assertEqual(server.stop(), 0)

    # -- admin, logs, signals ----------------------------------------------------------------------------

    def test_admin_token(self):
        with ReplayServer("--admin-token", "s3cret-admin") as server:
            status, _, body = server.http("POST", "/__replay/reset")
            self.assertEqual(status, 403)
            self.assertEqual(json.loads(body)["__type"], "AccessDeniedException")
            status, _, _ = server.http("GET", "/__replay/metrics", token="wrong")
            self.assertEqual(status, 403)
            status, _, _ = server.http("GET", "/__replay/health")
            self.assertEqual(status, 403)
            self.assertEqual(server.reset(token="s3cret-admin"), {"reset": "all"})
            status, _, body = server.http("GET", "/__replay/metrics", token="s3cret-admin")
            self.assertEqual(status, 200)
            self.assertIn(b"ssm_replay_requests_total", body)

    def test_access_log_has_outcomes_and_no_credentials(self):
        tape = next(t for t in ending_in({"Success"}) if t.answers[0][0] == 200)
        with ReplayServer("--log-level", "info") as server:
            client = server.ssm_client()
            self.assertEqual(client.get_command_invocation(**tape.params())["Status"], tape.states()[0])
            try:
                client.get_command_invocation(CommandId=tape.command_id, InstanceId="i-0fffffffffffffff0")
            except botocore.exceptions.ClientError:
                pass
            server.call("GetCommandInvocation", "{bad")
            self.assertEqual(server.stop(), 0)
            log = server.stderr()
        # access_entries fails on any stderr line that is not one JSON object
        entries = [e for e in access_entries(log) if e["action"] == "GetCommandInvocation"]  # not admin calls
        self.assertEqual([e["outcome"] for e in entries], ["hit", "miss", "error"], log)
        self.assertEqual([e["status"] for e in entries], [200, 404, 400])
        for e in entries:
            self.assertEqual(set(e) - {"step", "steps"},
                             {"time", "level", "method", "path", "action", "key", "outcome", "status", "us"})
        self.assertIn("step", entries[0])  # the hit says which step of its tape it served
        self.assertLessEqual(entries[0]["step"], entries[0]["steps"])
        for secret in (DUMMY_KEY_ID, DUMMY_SECRET, DUMMY_TOKEN, "Authorization", "Signature="):
            self.assertNotIn(secret, log)

    def test_sigterm_and_sigint_exit_zero(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(sig=sig):
                server = ReplayServer()
                try:
                    server.call("ListCommands", {})
                    self.assertEqual(server.stop(sig), 0)
                finally:
                    server.close()

    def test_two_servers_share_one_store(self):
        tape = ending_in({"Success"})[0]
        with ReplayServer(store=self.server.store) as second:
            a = self.server.call("GetCommandInvocation", tape.params())
            b = second.call("GetCommandInvocation", tape.params())
            self.assertEqual(a[2], b[2])


class LintTest(unittest.TestCase):
    def test_lint_fixtures_matches_waiter(self):
        with tempfile.TemporaryDirectory() as tmp:
            store = os.path.join(tmp, "store")
            import_fixtures(store)
            proc = run_tool("lint", "--store", store)
            expect_warnings = any(t.waiter_end() is None or t.waiter_end()[0] > 20 for t in invocation_tapes())
            self.assertEqual(proc.returncode, 1 if expect_warnings else 0, proc.stdout + proc.stderr)
            self.assertIn(f"{len(invocation_tapes())} GetCommandInvocation tapes checked", proc.stdout)

    def test_lint_warns_on_never_terminal_and_late_tapes(self):
        source = ending_in({"Success"})[0]
        with open(source.path, encoding="utf-8") as f:
            data = json.load(f)
        in_progress = next(i for i in data["interactions"] if i["response"]["status"] == 200
                           and i["response"].get("body", {}).get("Status") in ("InProgress", "Pending"))
        success = data["interactions"][-1]
        def rekeyed(instance, interactions):
            key = dict(data["key"], InstanceId=instance)
            request = {k: v for k, v in key.items() if k != "action"}
            return dict(data, key=key, interactions=[dict(i, request=request) for i in interactions])

        with tempfile.TemporaryDirectory() as tmp:
            never = rekeyed("i-0aaaaaaaaaaaaaaa1", [in_progress] * 3)
            late = rekeyed("i-0aaaaaaaaaaaaaaa2", [in_progress] * 25 + [success])
            for name, tape in (("never.json", never), ("late.json", late)):
                with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                    json.dump(tape, f)
            store = os.path.join(tmp, "store")
            import_fixtures(store, [os.path.join(tmp, "never.json"), os.path.join(tmp, "late.json")])
            proc = run_tool("lint", "--store", store)
            self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
            self.assertIn("i-0aaaaaaaaaaaaaaa1", proc.stdout)
            self.assertIn("never reaches a terminal state", proc.stdout)
            self.assertIn("gives up", proc.stdout)
            proc = run_tool("lint", "--store", store, "--max-attempts", "30")
            warn_lines = [l for l in proc.stdout.splitlines() if l.startswith("WARN")]
            self.assertEqual(len(warn_lines), 1, proc.stdout)


if __name__ == "__main__":
    unittest.main()
