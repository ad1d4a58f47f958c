"""--shift-times (issue 13): every date of a replayed answer moves by one offset per tape and session, the
one that puts the tape's first recorded interaction at the session's first call on it. Checked against
the recorded tape (synthesized: a SendCommand and a GetCommandInvocation tape of 16 polls): each date is
within a second of its recorded value plus (first call - recorded time); the recorded spacing is kept
exactly (one offset for all of a tape's answers), ExecutionElapsedTime and empty dates are unchanged, and
every other member is equal, in the same order. Off (the default, or a session's shiftTimes false) the
answers are the tape's bytes."""
import datetime
import json
import time
import unittest

from waiter_tape import WaiterTapeTest

ISO_DATES = ("ExecutionStartDateTime", "ExecutionEndDateTime")
EPOCH_DATES = ("RequestedDateTime", "ExpiresAfter")
SESSION = "X-Ssm-Replay-Session"


def iso_seconds(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def ordered(body):
    """A body as nested lists of (name, value) pairs, so equality also checks member order."""
    return json.loads(body, object_pairs_hook=list)


def without(pairs, names):
    return [(k, v) for k, v in pairs if k not in names]


class ShiftTimesTest(WaiterTapeTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invocation_recorded = iso_seconds(cls.tape.invocation_data["interactions"][0]["recordedAt"])
        cls.send_recorded = iso_seconds(cls.tape.send_command_data["interactions"][0]["recordedAt"])
        cls.polls = len(cls.tape.invocation.answers)

    def recorded(self, data, step):
        return self.tape.body_text(data, step)

    def send_command(self, server, headers=None):
        """(client time just before the call, body bytes)."""
        before = time.time()
        status, _, body = server.call("SendCommand", self.tape.send_command.request, headers)
        self.assertEqual(status, 200, body)
        return before, body

    def poll_all(self, server, headers=None):
        """Every answer of the invocation tape, polled without delay: (time before the first, bodies)."""
        before = time.time()
        bodies = []
        for _ in range(self.polls):
            status, _, body = server.call("GetCommandInvocation", self.tape.invocation.params(), headers)
            self.assertIn(status, (200, 400), body)
            bodies.append(body)
        return before, bodies

    # -- checks ---------------------------------------------------------------------------------------

    def check_send_command(self, body, first_call):
        """The SendCommand answer's dates moved by (first_call - recorded time), all else as recorded;
        returns the offset the server applied."""
        recorded = json.loads(self.recorded(self.tape.send_command_data, 0))["Command"]
        got = json.loads(body)["Command"]
        offset = first_call - self.send_recorded
        for name in EPOCH_DATES:
            self.assertAlmostEqual(got[name], recorded[name] + offset, delta=1.0, msg=name)
        self.assertAlmostEqual(got["ExpiresAfter"] - got["RequestedDateTime"],
                               recorded["ExpiresAfter"] - recorded["RequestedDateTime"], delta=0.0015)
        pairs = ordered(body)[0][1]
        self.assertEqual([k for k, _ in pairs], list(recorded))
        self.assertEqual(without(pairs, EPOCH_DATES),
                         without(ordered(self.recorded(self.tape.send_command_data, 0))[0][1], EPOCH_DATES))
        return got["RequestedDateTime"] - recorded["RequestedDateTime"]

    def check_invocations(self, bodies, first_call):
        """Each answer's ISO dates moved by one offset, within a second of (first_call - recorded
        time); the offset applied (seconds)."""
        offsets = []
        for step, body in enumerate(bodies):
            recorded_text = self.recorded(self.tape.invocation_data, step)
            recorded, got = json.loads(recorded_text), json.loads(body)
            if "__type" in recorded:  # InvocationDoesNotExist: no dates, the bytes as recorded
                self.assertEqual(body, recorded_text)
                continue
            for name in ISO_DATES:
                if recorded[name] == "":
                    self.assertEqual(got[name], "", f"step {step + 1}: an empty {name} stays empty")
                    continue
                self.assertRegex(got[name], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
                offsets.append(iso_seconds(got[name]) - iso_seconds(recorded[name]))
                self.assertAlmostEqual(offsets[-1], first_call - self.invocation_recorded, delta=1.0,
                                       msg=f"step {step + 1} {name}")
            self.assertEqual(got["ExecutionElapsedTime"], recorded["ExecutionElapsedTime"])
            self.assertEqual(without(ordered(body), ISO_DATES), without(ordered(recorded_text), ISO_DATES))
        self.assertGreater(len(offsets), 12)
        self.assertLess(max(offsets) - min(offsets), 0.0015, "one offset for every answer of the tape")
        return offsets[0]

    # -- tests ----------------------------------------------------------------------------------------

    def test_dates_move_to_the_first_call_and_keep_their_spacing(self):
        server = self.serve("--shift-times")
        first_send, body = self.send_command(server)
        self.check_send_command(body, first_send)
        first_poll, bodies = self.poll_all(server)
        self.check_invocations(bodies, first_poll)
        # Past the end the terminal answer repeats, with the same offset.
        _, again = self.poll_all(server)
        self.assertEqual(again, [bodies[-1]] * self.polls)

    def test_each_session_has_its_own_offset_per_tape(self):
        server = self.serve("--shift-times")
        first_a, bodies_a = self.poll_all(server, {SESSION: "a"})
        offset_a = self.check_invocations(bodies_a, first_a)
        # Measured, not waited on: the gap makes the two sessions' offsets differ by more than rounding.
        time.sleep(0.3)
        first_b, bodies_b = self.poll_all(server, {SESSION: "b"})
        offset_b = self.check_invocations(bodies_b, first_b)
        self.assertAlmostEqual(offset_b - offset_a, first_b - first_a, delta=0.1)
        self.assertGreater(offset_b - offset_a, 0.25)
        # The SendCommand tape of session b: its own offset, from its own first call.
        first_send, body = self.send_command(server, {SESSION: "b"})
        self.check_send_command(body, first_send)

    def test_off_by_default_answers_are_the_tapes_bytes(self):
        server = self.serve()
        _, body = self.send_command(server)
        self.assertEqual(body, self.recorded(self.tape.send_command_data, 0))
        _, bodies = self.poll_all(server)
        self.assertEqual(bodies, [self.recorded(self.tape.invocation_data, s) for s in range(self.polls)])

    def test_sessions_turn_shifting_on_and_off(self):
        server = self.serve("--shift-times")
        for name, shift in (("plain", False), ("moved", True)):
            self.assertIs(self.configure_session(server, name=name, shiftTimes=shift)["shiftTimes"], shift)
        _, bodies = self.poll_all(server, {SESSION: "plain"})
        self.assertEqual(bodies, [self.recorded(self.tape.invocation_data, s) for s in range(self.polls)])
        first, bodies = self.poll_all(server, {SESSION: "moved"})
        self.check_invocations(bodies, first)

        plain_server = self.serve()
        self.assertIs(self.configure_session(plain_server, name="moved", shiftTimes=True)["shiftTimes"], True)
        first, bodies = self.poll_all(plain_server, {SESSION: "moved"})
        self.check_invocations(bodies, first)


if __name__ == "__main__":
    unittest.main()
