"""Sessions isolate clients that poll the same tape at the same time (issue 13's acceptance test).

16 boto3 clients, each in a session of its own (8 named by the endpoint's /session/NAME path, 8 by the
X-Ssm-Replay-Session header), run botocore's command_executed waiter on the same tape at once, 20
rounds: each sees exactly the recorded GetCommandInvocation answers, the same bytes and request ids as
the tape file. Resetting or deleting one session leaves the other sessions' positions as they were."""
import os
import sys
import threading
import unittest

import botocore.exceptions

from harness import FixturesServerTest, ssm_client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
from ssm_replay import Admin  # noqa: E402
from ssm_replay.tape_files import Answer, tape_files  # noqa: E402
from fixture_tapes import FIXTURES  # noqa: E402

CLIENTS_BY_PATH = 8
CLIENTS_BY_HEADER = 8
ROUNDS = 20
NGINX = next(t for t in tape_files(FIXTURES, "GetCommandInvocation") if t.key["InstanceId"] == "i-08b0130f3ddd5f444")
WAITER_END = NGINX.outcomes().index("Success") + 1  # InvocationDoesNotExist, Pending, InProgress x2, Success


class SessionClient:
    """A boto3 client in session `name`, by path or by header, keeping every answer it gets."""

    def __init__(self, url, name, by_header):
        self.name = name
        self.client = ssm_client(url if by_header else f"{url}/session/{name}")
        self.answers = []
        if by_header:
            self.client.meta.events.register("before-sign.ssm", self._add_header)
        self.client.meta.events.register("response-received.ssm", self._keep)

    def _add_header(self, request, **_):
        request.headers["X-Ssm-Replay-Session"] = self.name

    def _keep(self, response_dict=None, **_):
        if response_dict is not None:
            self.answers.append(Answer(response_dict["status_code"],
                                       response_dict["headers"].get("x-amzn-RequestId"), response_dict["body"]))

    def wait(self):
        self.client.get_waiter("command_executed").wait(WaiterConfig={"Delay": 0.01, "MaxAttempts": 20},
                                                        **NGINX.invocation_params())

    def poll(self):
        try:
            self.client.get_command_invocation(**NGINX.invocation_params())
        except botocore.exceptions.ClientError:
            pass  # InvocationDoesNotExist: an answer like the others, kept by _keep
        return self.answers[-1]


def run_together(functions):
    """Runs every function in a thread of its own, all released at once; re-raises the first error."""
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait(30)
            function()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=(f,)) for f in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    if any(t.is_alive() for t in threads):
        raise AssertionError("a client thread did not finish within 120 s")
    if errors:
        raise errors[0]


class ParallelSessionsTest(FixturesServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = Admin(cls.server.url)

    def clients(self, prefix):
        return ([SessionClient(self.server.url, f"{prefix}-path-{i}", False) for i in range(CLIENTS_BY_PATH)] +
                [SessionClient(self.server.url, f"{prefix}-header-{i}", True) for i in range(CLIENTS_BY_HEADER)])

    def test_waiters_in_sixteen_sessions_each_see_the_recorded_sequence(self):
        clients = self.clients("waiters")
        for round_number in range(ROUNDS):
            for c in clients:
                c.answers.clear()
            run_together([c.wait for c in clients])
            for c in clients:
                self.assertEqual(c.answers, NGINX.answers[:WAITER_END], f"round {round_number}, session {c.name}")
                self.assertEqual(self.admin.reset_session(c.name)["session"], c.name)
        listed = {s["name"] for s in self.admin.sessions()["sessions"]}
        self.assertLessEqual({c.name for c in clients}, listed)
        # The default session was never used by these clients: its first call still gets the first answer.
        status, _, body = self.server.call("GetCommandInvocation", NGINX.invocation_params())
        self.assertEqual((status, body), (NGINX.answers[0].status, NGINX.answers[0].body))

    def test_reset_or_delete_of_one_session_keeps_the_others_positions(self):
        clients = self.clients("positions")
        # Client i stands after i % 4 + 1 answers, all advancing at once.
        run_together([lambda c=c, i=i: [c.poll() for _ in range(i % 4 + 1)] for i, c in enumerate(clients)])
        reset, deleted = clients[0], clients[CLIENTS_BY_PATH]
        self.admin.reset_session(reset.name)
        self.assertEqual(self.admin.delete_session(deleted.name), {"session": deleted.name, "deleted": True})
        self.assertNotIn(deleted.name, [s["name"] for s in self.admin.sessions()["sessions"]])
        for i, c in enumerate(clients):
            position = 0 if c in (reset, deleted) else i % 4 + 1
            self.assertEqual(c.poll(), NGINX.answers[position], f"session {c.name}")


if __name__ == "__main__":
    unittest.main()
