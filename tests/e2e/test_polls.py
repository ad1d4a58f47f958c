"""--polls recorded|collapse|final (issue 13): a waiter on a tape of 1 InvocationDoesNotExist, 2 Pending,
12 InProgress, 1 Success. With the AWS CLI's own waiter at its default 5 s delay, `collapse` serves each
state once (4 polls, ~15 s instead of ~75 s) and `final` answers Success at the first poll; set for the
server (serve --polls) or per session (POST /__replay/sessions). The bodies served are the recorded ones,
byte for byte; only which one answers a poll changes. Wall times are printed, never asserted: the test
asserts the sequence of states the server served (its access log), and that `final` needs one poll.
bench/poll_waiter_times.py measures recorded vs collapse vs final (recorded takes ~75 s)."""
import json
import os
import shutil
import sys
import tempfile
import unittest

from harness import import_fixtures, run_serve_expect_failure, ssm_client
from waiter_tape import COLLAPSED, RECORDED, WaiterTapeTest, cli_waiter, served_steps, states_of

NO_DELAY = {"Delay": 0, "MaxAttempts": 20}


def report(what, seconds):
    print(f"\n  {what}: {seconds:.2f} s wall", file=sys.stderr)


class PollsTest(WaiterTapeTest):
    def boto3_waiter(self, url, raw=None):
        """boto3's command_executed waiter without its delay (the sequence, not the time, is tested)."""
        waiter = ssm_client(url, raw=raw).get_waiter("command_executed")
        waiter.wait(CommandId=self.tape.command_id, InstanceId=self.tape.invocation.instance_id,
                    WaiterConfig=NO_DELAY)

    # -- serve --polls ------------------------------------------------------------------------------

    def test_collapse_serves_each_state_once_to_the_aws_cli_waiter(self):
        server = self.serve("--polls", "collapse")
        code, seconds, err = cli_waiter(server.url, self.tape.command_id)
        self.assertEqual(code, 0, err)
        steps = served_steps(server, "default", len(COLLAPSED))
        self.assertEqual(steps, [1, 2, 4, 16])
        self.assertEqual(states_of(self.tape, steps), COLLAPSED)
        report("--polls collapse, aws ssm wait command-executed (4 polls)", seconds)

    def test_final_answers_the_aws_cli_waiter_at_its_first_poll(self):
        server = self.serve("--polls", "final")
        code, seconds, err = cli_waiter(server.url, self.tape.command_id)
        self.assertEqual(code, 0, err)
        steps = served_steps(server, "default", 1)
        self.assertEqual(steps, [16], "final must not need a second poll")
        self.assertEqual(states_of(self.tape, steps), ["Success"])
        report("--polls final, aws ssm wait command-executed (1 poll)", seconds)

    def test_recorded_is_the_default_and_walks_every_entry(self):
        server = self.serve()
        self.boto3_waiter(server.url)
        steps = served_steps(server, "default", len(RECORDED))
        self.assertEqual(steps, list(range(1, 17)))
        self.assertEqual(states_of(self.tape, steps), RECORDED)

    def test_other_actions_are_served_as_recorded_under_final(self):
        server = self.serve("--polls", "final")
        for _ in range(2):
            status, _, body = server.call("SendCommand", self.tape.send_command.request)
            self.assertEqual(status, 200, body)
            self.assertEqual(body, self.tape.body_text(self.tape.send_command_data, 0))

    # -- per session ----------------------------------------------------------------------------------

    def test_sessions_set_their_own_polls_and_get_recorded_bodies_byte_for_byte(self):
        server = self.serve()  # server default: recorded
        self.assertEqual(self.configure_session(server, name="fast", polls="final"),
                         {"name": "fast", "polls": "final", "shiftTimes": False})
        self.assertEqual(self.configure_session(server, name="col", polls="collapse")["polls"], "collapse")

        code, seconds, err = cli_waiter(f"{server.url}/session/fast", self.tape.command_id)
        self.assertEqual(code, 0, err)
        self.assertEqual(served_steps(server, "fast", 1), [16], "final must not need a second poll")
        report("session polls=final (path /session/fast), aws ssm wait command-executed", seconds)

        raw = []
        self.boto3_waiter(f"{server.url}/session/col", raw)
        steps = served_steps(server, "col", len(COLLAPSED))
        self.assertEqual(states_of(self.tape, steps), COLLAPSED)
        self.assertEqual(raw, [self.tape.body_text(self.tape.invocation_data, s - 1) for s in steps])

        # The default session, on the same server, still sees every recorded answer.
        self.boto3_waiter(server.url)
        self.assertEqual(states_of(self.tape, served_steps(server, "default", len(RECORDED))), RECORDED)

    def test_a_session_keeps_polls_while_other_fields_change(self):
        server = self.serve("--polls", "collapse")
        self.assertEqual(self.configure_session(server, name="s1", polls="final")["polls"], "final")
        self.assertEqual(self.configure_session(server, name="s1", shiftTimes=False)["polls"], "final")
        # A session created without polls gets the server's.
        self.assertEqual(self.configure_session(server, name="s2")["polls"], "collapse")

    # -- bad input ------------------------------------------------------------------------------------

    def test_bad_polls_values_are_refused_naming_the_valid_ones(self):
        work = tempfile.mkdtemp(prefix="ssm-e2e-polls-")
        self.addCleanup(shutil.rmtree, work, True)
        store = os.path.join(work, "store")
        import_fixtures(store, [self.tape.dir])
        code, err = run_serve_expect_failure(store, "replay", "--polls", "fast")
        self.assertNotEqual(code, 0)
        for word in ("fast", "recorded", "collapse", "final"):
            self.assertIn(word, err)

        server = self.serve()
        for polls in ("fast", 3):
            status, _, body = server.http("POST", "/__replay/sessions", json.dumps({"name": "x", "polls": polls}),
                                          token=server.admin_token)
            self.assertEqual(status, 400, body)
            error = json.loads(body)
            self.assertIn("__type", error)
            self.assertIn("collapse", error.get("message", ""), "the message names the valid values")
        # The server is unharmed.
        self.boto3_waiter(server.url)
        self.assertEqual(states_of(self.tape, served_steps(server, "default", len(RECORDED))), RECORDED)


if __name__ == "__main__":
    unittest.main()
