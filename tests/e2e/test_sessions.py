"""Sessions (issue 13): each session walks every tape from its start, apart from the others. A client
names its session by the X-Ssm-Replay-Session header, by an endpoint URL ending in /session/NAME (the
AWS CLI sends POST /session/NAME, boto3 with a trailing slash POST /session/NAME/), or, with
--session-from-access-key, by its access key id. Also: bad names, --max-sessions, --session-ttl, the
admin endpoints, discard in auto mode, and a second serve on a port in use."""
import concurrent.futures
import json
import os
import shutil
import tempfile
import unittest

import botocore.exceptions

from fixture_tapes import invocation_tapes
from harness import ReplayServer, ServeProcess, aws_cli, export_tapes, run_tool, ssm_client, wait_until
from server_log import access_entries
from upstreams import FastUpstream, operator_env


def longest_tape():
    """The fixture GetCommandInvocation tape with the most answers that differ from one to the next."""
    return max(invocation_tapes(), key=lambda t: len(t.states()))


def states_of(server, tape, session=None, path="/", n=None):
    """The state (Status or error type) of `n` calls (default: the tape's length) on `tape`, raw HTTP."""
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetCommandInvocation"}
    if session is not None:
        headers["X-Ssm-Replay-Session"] = session
    conn = server.connection()
    out = []
    try:
        for _ in range(n or len(tape.states())):
            conn.request("POST", path, body=json.dumps(tape.params()), headers=headers)
            r = conn.getresponse()
            body = json.loads(r.read())
            out.append(body.get("Status") if r.status == 200 else body.get("__type", "").split("#")[-1])
    finally:
        conn.close()
    return out


def admin(server, method, path, body=None):
    status, _, data = server.http(method, path, body=json.dumps(body) if body is not None else b"",
                                  headers={"Content-Type": "application/json"} if body is not None else None)
    return status, json.loads(data)


class SessionsReplayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ReplayServer("--max-sessions", "50")
        cls.tape = longest_tape()
        cls.states = cls.tape.states()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        status, listed = admin(self.server, "GET", "/__replay/sessions")
        for session in listed["sessions"]:
            admin(self.server, "DELETE", "/__replay/sessions/" + session["name"])
        self.server.reset()

    def test_fixture_tape_has_several_states(self):
        self.assertGreaterEqual(len(set(self.states)), 2, self.tape)

    def test_aws_cli_sessions_by_path_each_see_the_whole_sequence(self):
        args = ["get-command-invocation", "--command-id", self.tape.command_id, "--instance-id",
                self.tape.instance_id]
        if self.tape.plugin_name is not None:
            args += ["--plugin-name", self.tape.plugin_name]
        seen = {"cli-a": [], "cli-b": []}
        for i in range(len(self.states)):
            for session in seen:  # interleaved: a shared cursor would give each half the sequence
                rc, out, err = aws_cli(self.server.url + "/session/" + session, *args)
                seen[session].append(json.loads(out)["Status"] if rc == 0 else error_code(err))
        self.assertEqual(seen["cli-a"], self.states)
        self.assertEqual(seen["cli-b"], self.states)
        # The default session did not move.
        self.assertEqual(states_of(self.server, self.tape, n=1), self.states[:1])

    def test_boto3_by_path_with_trailing_slash_and_by_header(self):
        by_path = ssm_client(self.server.url + "/session/b3-path/")
        by_header = ssm_client(self.server.url)
        by_header.meta.events.register(
            "before-sign.ssm.*", lambda request, **_: request.headers.__setitem__("X-Ssm-Replay-Session", "b3-head"))
        seen = {"path": [], "header": []}
        for _ in self.states:
            for name, client in (("path", by_path), ("header", by_header)):
                try:
                    seen[name].append(client.get_command_invocation(**self.tape.params())["Status"])
                except botocore.exceptions.ClientError as e:
                    seen[name].append(e.response["Error"]["Code"])
        self.assertEqual(seen["path"], self.states)
        self.assertEqual(seen["header"], self.states)
        names = [s["name"] for s in admin(self.server, "GET", "/__replay/sessions")[1]["sessions"]]
        self.assertEqual(names, ["b3-head", "b3-path"])

    def test_parallel_sessions_each_see_the_whole_sequence(self):
        def run(i):
            return states_of(self.server, self.tape, session=f"par-{i}")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(run, range(16)))
        for result in results:
            self.assertEqual(result, self.states)

    def test_admin_reset_delete_and_configure(self):
        self.assertEqual(states_of(self.server, self.tape, "a", n=2), self.states[:2])
        self.assertEqual(states_of(self.server, self.tape, "b", n=1), self.states[:1])
        status, listed = admin(self.server, "GET", "/__replay/sessions")
        self.assertEqual(status, 200)
        self.assertEqual(listed["live"], 2)
        a = listed["sessions"][0]
        self.assertEqual((a["name"], a["calls"], a["cursors"], a["polls"], a["shiftTimes"]),
                         ("a", 2, 1, "recorded", False))
        self.assertRegex(a["lastUse"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(admin(self.server, "POST", "/__replay/sessions/a/reset"), (200, {"session": "a", "reset": 1}))
        self.assertEqual(states_of(self.server, self.tape, "a", n=1), self.states[:1])
        self.assertEqual(states_of(self.server, self.tape, "b", n=1), self.states[1:2])  # b untouched
        self.assertEqual(self.server.reset(Session="b")["cursors"], 1)
        self.assertEqual(states_of(self.server, self.tape, "a", n=1), self.states[1:2])  # a untouched
        self.assertEqual(admin(self.server, "DELETE", "/__replay/sessions/a"), (200, {"session": "a", "deleted": True}))
        status, error = admin(self.server, "DELETE", "/__replay/sessions/a")
        self.assertEqual((status, error["__type"]), (404, "ResourceNotFoundException"))
        self.assertEqual(admin(self.server, "POST", "/__replay/sessions", {"name": "c", "polls": "final"}),
                         (200, {"name": "c", "polls": "final", "shiftTimes": False}))
        status, error = admin(self.server, "POST", "/__replay/sessions", {"name": "c", "polls": "fastest"})
        self.assertEqual((status, error["__type"]), (400, "ValidationException"))

    def test_bad_session_names_are_refused_and_the_server_stays_healthy(self):
        self.assertEqual(states_of(self.server, self.tape, "ok-1", n=1), self.states[:1])
        bad = [("/", {"X-Ssm-Replay-Session": "has space"}), ("/", {"X-Ssm-Replay-Session": "x" * 129}),
               ("/session/", {}), ("/session/a%2Fb", {}), ("/session/a/b", {}), ("/session/caf%C3%A9/", {})]
        for path, headers in bad:
            with self.subTest(path=path, headers=headers):
                status, _, data = self.server.http("POST", path, body=json.dumps(self.tape.params()), headers=dict(
                    headers, **{"X-Amz-Target": "AmazonSSM.GetCommandInvocation",
                                "Content-Type": "application/x-amz-json-1.1"}))
                body = json.loads(data)
                self.assertEqual((status, body["__type"]), (400, "ValidationException"))
                self.assertIn("1 to 128 characters of A-Z, a-z, 0-9", body["message"])
        self.assertEqual(self.server.http("GET", "/__replay/health")[0], 200)
        self.assertEqual(states_of(self.server, self.tape, "ok-1", n=1), self.states[1:2])

    def test_beyond_max_sessions_a_new_session_gets_429_and_the_others_go_on(self):
        self.assertEqual(states_of(self.server, self.tape, "first", n=1), self.states[:1])
        for i in range(49):
            states_of(self.server, self.tape, f"fill-{i}", n=1)
        status, _, data = self.server.call("GetCommandInvocation", self.tape.params(),
                                           {"X-Ssm-Replay-Session": "one-too-many"})
        body = json.loads(data)
        self.assertEqual((status, body["__type"]), (429, "ThrottlingException"))
        self.assertIn("--max-sessions", body["message"])
        self.assertEqual(self.server.http("GET", "/__replay/health")[0], 200)
        self.assertEqual(states_of(self.server, self.tape, "first", n=1), self.states[1:2])
        metrics = self.server.metrics()
        self.assertEqual(metrics[("ssm_replay_sessions_live", frozenset())], 50)

    def test_access_log_names_the_session(self):
        states_of(self.server, self.tape, "logged-1", n=1)
        entries = wait_until(lambda: [e for e in access_entries(self.server.stderr()) if e.get("session") == "logged-1"],
                             10, "an access-log line of session logged-1")
        self.assertEqual(entries[0]["outcome"], "hit")


class SessionLimitsTest(unittest.TestCase):
    def test_default_limit_of_10000_sessions(self):
        """10,000 sessions start; the 10,001st gets 429 while the first goes on."""
        tape = longest_tape()
        states = tape.states()
        with ReplayServer("--log-level", "warn") as server:
            body = json.dumps(tape.params())
            headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetCommandInvocation"}

            def start(first):
                conn = server.connection()
                statuses = set()
                try:
                    for i in range(first, 10000, 8):
                        conn.request("POST", "/", body=body, headers=dict(headers, **{"X-Ssm-Replay-Session": f"s-{i}"}))
                        r = conn.getresponse()
                        r.read()
                        statuses.add(r.status)
                finally:
                    conn.close()
                return statuses
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                statuses = set().union(*pool.map(start, range(8)))
            self.assertEqual(statuses, {200} if tape.answers[0][0] == 200 else {tape.answers[0][0]})
            status, _, data = server.call("GetCommandInvocation", tape.params(), {"X-Ssm-Replay-Session": "s-10000"})
            self.assertEqual((status, json.loads(data)["__type"]), (429, "ThrottlingException"))
            self.assertEqual(server.http("GET", "/__replay/health")[0], 200)
            self.assertEqual(states_of(server, tape, "s-0", n=1), states[1:2])
            self.assertEqual(states_of(server, tape, n=1), states[:1])  # the default session is no session
            metrics = server.metrics()
            self.assertEqual(metrics[("ssm_replay_sessions_live", frozenset())], 10000)
            self.assertEqual(metrics[("ssm_replay_sessions_started_total", frozenset())], 10000)

    def test_an_idle_session_expires_and_starts_again(self):
        tape = longest_tape()
        states = tape.states()
        with ReplayServer("--session-ttl", "1") as server:
            self.assertEqual(states_of(server, tape, "idle", n=2), states[:2])
            wait_until(lambda: admin(server, "GET", "/__replay/sessions")[1]["live"] == 0, 10,
                       "session 'idle' to expire")
            self.assertEqual(server.metrics()[("ssm_replay_sessions_expired_total", frozenset())], 1)
            status, error = admin(server, "POST", "/__replay/sessions/idle/reset")
            self.assertEqual(status, 404)
            self.assertIn("expired", error["message"])
            self.assertEqual(states_of(server, tape, "idle", n=1), states[:1])  # a new session, from the start
            self.assertEqual(server.http("GET", "/__replay/health")[0], 200)


class SessionFromAccessKeyTest(unittest.TestCase):
    def test_each_access_key_is_a_session(self):
        tape = longest_tape()
        with ReplayServer("--session-from-access-key") as server:
            seen = {}
            for key_id in ("test-1", "test-2"):
                client = ssm_client(server.url, key_id=key_id)
                seen[key_id] = []
                for _ in tape.states():
                    try:
                        seen[key_id].append(client.get_command_invocation(**tape.params())["Status"])
                    except botocore.exceptions.ClientError as e:
                        seen[key_id].append(e.response["Error"]["Code"])
            self.assertEqual(seen["test-1"], tape.states())
            self.assertEqual(seen["test-2"], tape.states())
            names = [s["name"] for s in admin(server, "GET", "/__replay/sessions")[1]["sessions"]]
            self.assertEqual(names, ["test-1", "test-2"])


class DiscardTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-sessions-")
        self.upstream = FastUpstream()

    def tearDown(self):
        self.upstream.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_discard_in_auto_mode_deletes_exactly_the_sessions_tapes(self):
        store = os.path.join(self.dir, "store")
        with ServeProcess(store, "auto", "--upstream", self.upstream.url, env=operator_env()) as proxy:
            failed = ssm_client(proxy.url + "/session/failed-test")
            kept = ssm_client(proxy.url + "/session/kept-test")
            sent = failed.send_command(InstanceIds=["i-0aaaaaaaaaaaaaaa1"], DocumentName="AWS-RunShellScript")
            failed_id = sent["Command"]["CommandId"]
            kept_id = kept.send_command(InstanceIds=["i-0aaaaaaaaaaaaaaa2"],
                                        DocumentName="AWS-RunShellScript")["Command"]["CommandId"]
            for client, cid, iid in ((failed, failed_id, "i-0aaaaaaaaaaaaaaa1"), (kept, kept_id, "i-0aaaaaaaaaaaaaaa2")):
                with self.assertRaises(botocore.exceptions.ClientError):  # InvocationDoesNotExist, recorded
                    client.get_command_invocation(CommandId=cid, InstanceId=iid)
            self.assertEqual(len(export_tapes(store)), 4)
            self.assertEqual(admin(proxy, "POST", "/__replay/sessions/failed-test/discard"),
                             (200, {"session": "failed-test", "discarded": 2}))
            left = export_tapes(store).values()
            self.assertEqual(sorted(t["key"].get("CommandId", "") for t in left), ["", kept_id])
            self.assertNotIn(failed_id, json.dumps(list(left)))
            self.assertEqual(admin(proxy, "POST", "/__replay/sessions/failed-test/discard")[1]["discarded"], 0)

    def test_discard_is_refused_in_replay_mode(self):
        with ReplayServer() as server:
            states_of(server, longest_tape(), "r", n=1)
            status, error = admin(server, "POST", "/__replay/sessions/r/discard")
            self.assertEqual((status, error["__type"]), (400, "BadRequestException"))


class OneServerPerPortTest(unittest.TestCase):
    def test_a_second_serve_on_a_port_in_use_fails_at_start(self):
        with ReplayServer() as first:
            address = f"127.0.0.1:{first.port}"
            proc = run_tool("serve", "--store", first.store, "--listen", address, timeout=30)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn(f"cannot listen on {address}: the address is already in use", proc.stderr)
            self.assertEqual(first.http("GET", "/__replay/health")[0], 200)


def error_code(stderr):
    """The error code the AWS CLI names: "An error occurred (Code) when calling ..."."""
    start = stderr.find("(")
    return stderr[start + 1:stderr.find(")", start)] if start >= 0 else stderr


if __name__ == "__main__":
    unittest.main()
