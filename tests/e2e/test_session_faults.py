"""Fault injection in sessions (`serve --fault SPEC --seed N` with X-Ssm-Replay-Session): each session
gets its own deterministic faults, whatever the other sessions do at the same time, so parallel tests
sharing a server see the same faults on every run. Raw HTTP on loopback; fixture tapes."""
import concurrent.futures
import json
import unittest

from fixture_tapes import invocation_tapes
from harness import ReplayServer, ssm_call

SPEC = "throttle=0.3,error500=0.1,notfound-first=1"
CALLS = 30


def answers(server, tape, session):
    """What `CALLS` calls on `tape` in `session` see: a Status, or an error type."""
    conn = server.connection()
    out = []
    try:
        for _ in range(CALLS):
            status, _, data = ssm_call(conn, "GetCommandInvocation", tape.params(), {"X-Ssm-Replay-Session": session})
            body = json.loads(data)
            out.append(body["Status"] if status == 200 else body.get("__type", "").split("#")[-1])
    finally:
        conn.close()
    return out


class SessionFaultsTest(unittest.TestCase):
    def setUp(self):
        self.tape = max(invocation_tapes(), key=lambda t: len(t.states()))

    def run_sessions(self, sessions, parallel):
        """Each session's answers on one fresh server, the sessions one after another or all at once."""
        with ReplayServer("--fault", SPEC, "--seed", "11") as server:
            if not parallel:
                return {s: answers(server, self.tape, s) for s in sessions}
            with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
                futures = {s: pool.submit(answers, server, self.tape, s) for s in sessions}
                return {s: f.result(timeout=120) for s, f in futures.items()}

    def test_a_session_sees_the_same_faults_alone_and_among_others(self):
        alone = self.run_sessions(["test-a"], parallel=False)["test-a"]
        crowd = self.run_sessions(["test-a"] + ["other-%d" % n for n in range(7)], parallel=True)
        self.assertEqual(crowd["test-a"], alone)
        self.assertIn("ThrottlingException", alone)  # faults were injected at all
        self.assertEqual(alone.count("InvocationDoesNotExist"),
                         1 + self.tape.states().count("InvocationDoesNotExist"))  # notfound-first=1, then the tape
        # The recorded sequence is still walked in order between the faults.
        played = [a for a in alone if a not in ("ThrottlingException", "InternalServerError")]
        self.assertEqual(played[1:1 + len(self.tape.states())], self.tape.states())

    def test_sessions_get_different_faults(self):
        seen = self.run_sessions(["test-a", "test-b"], parallel=False)
        self.assertNotEqual(seen["test-a"], seen["test-b"])


if __name__ == "__main__":
    unittest.main()
