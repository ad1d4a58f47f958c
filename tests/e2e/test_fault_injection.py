"""Fault injection (`serve --fault SPEC --seed N`) with real clients: boto3's standard retry mode rides
through injected throttling and the command_executed waiter still reaches the recorded terminal state;
the same seed gives the same answers; notfound-first, reset and delay do what they say.

Fixture keys and sequences are read from fixtures/ at test time. Only loopback is used."""
import json
import socket
import time
import unittest

import botocore.exceptions

from fixture_tapes import WAITER_FAILURE, WAITER_SUCCESS, invocation_tapes
from harness import ReplayServer, count_calls, run_tool, ssm_client

NO_DELAY = {"Delay": 0, "MaxAttempts": 20}


def client(server, **retries):
    """A boto3 SSM client with standard retries configured by `retries`. botocore's max_attempts counts
    retries after the first attempt; total_max_attempts counts every attempt."""
    return ssm_client(server.url, retries={"mode": "standard", **retries})


def retrying_client(server):
    """Standard retries as users configure them to ride through throttling."""
    return client(server, max_attempts=10)


def count_sends(ssm):
    """Counts HTTP attempts (retries included) a boto3 client makes; returns a one-item list."""
    counter = [0]

    def hook(**_):
        counter[0] += 1

    ssm.meta.events.register("before-send.ssm.*", hook)
    return counter


def faults_injected(server, kind):
    series = ("ssm_replay_faults_injected_total", frozenset({"fault": kind}.items()))
    return int(server.metrics().get(series, 0))


def terminal_tapes():
    """Invocation tapes the waiter ends on a terminal Status (not an error answer), longest first."""
    tapes = [t for t in invocation_tapes()
             if t.waiter_end() and t.waiter_end()[1] in WAITER_SUCCESS | WAITER_FAILURE]
    return sorted(tapes, key=lambda t: -t.waiter_end()[0])


def described(status, body):
    """An answer as "<HTTP status> <Status or error __type>"."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = {}
    return f"{status} {doc.get('Status') or doc.get('__type') or '?'}"


def poll_answers(server, tape, n):
    """`n` raw GetCommandInvocation polls of `tape`, one fresh connection each, as described()."""
    out = []
    for _ in range(n):
        status, _, body = server.call("GetCommandInvocation", tape.params())
        out.append(described(status, body))
    return out


class FaultInjectionTest(unittest.TestCase):
    def test_standard_retries_ride_through_throttling_to_the_recorded_terminal_state(self):
        tapes = terminal_tapes()
        self.assertGreaterEqual(len(tapes), 3, tapes)
        with ReplayServer("--fault", "throttle=0.3", "--seed", "11") as server:
            ssm = retrying_client(server)
            calls, sends = count_calls(ssm), count_sends(ssm)
            for tape in tapes:
                _, state = tape.waiter_end()
                waiter = ssm.get_waiter("command_executed")
                if state in WAITER_SUCCESS:
                    waiter.wait(**tape.params(), WaiterConfig=NO_DELAY)
                else:
                    with self.assertRaises(botocore.exceptions.WaiterError) as caught:
                        waiter.wait(**tape.params(), WaiterConfig=NO_DELAY)
                    self.assertEqual(caught.exception.last_response.get("Status"), state, tape)
                # The next poll gets the tape's next answer (the terminal one repeats past the end).
                polls, states = tape.waiter_end()[0], tape.states()
                self.assertEqual(ssm.get_command_invocation(**tape.params())["Status"],
                                 states[min(polls, len(states) - 1)], tape)
            throttles = faults_injected(server, "throttle")
            self.assertGreater(throttles, 0)
            fault_answers = server.requests_count("GetCommandInvocation", "fault")
            self.assertEqual(fault_answers, throttles)
            # Every throttled attempt was retried by botocore, invisible to the waiter.
            hits = server.requests_count("GetCommandInvocation", "hit")
            self.assertEqual(hits, calls[0])
            self.assertEqual(sends[0], hits + throttles)
            self.assertGreaterEqual(hits, sum(t.waiter_end()[0] for t in tapes))

    def test_botocore_sees_a_retryable_throttle_and_a_modelled_500(self):
        tape = terminal_tapes()[0]
        with ReplayServer("--fault", "throttle=1") as server:
            ssm = client(server, total_max_attempts=3)
            sends = count_sends(ssm)
            with self.assertRaises(botocore.exceptions.ClientError) as caught:
                ssm.get_command_invocation(**tape.params())
            error = caught.exception.response["Error"]
            self.assertEqual((error["Code"], error["Message"]), ("ThrottlingException", "Rate exceeded"))
            self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertIn("reached max retries: 2", str(caught.exception))
            self.assertEqual(sends[0], 3)
        with ReplayServer("--fault", "error500=1") as server:
            ssm = client(server, total_max_attempts=2)
            with self.assertRaises(ssm.exceptions.InternalServerError):
                ssm.get_command_invocation(**tape.params())
            self.assertEqual(faults_injected(server, "error500"), 2)  # a 500 is retried too

    def test_same_seed_same_answers_different_seed_different(self):
        tape = terminal_tapes()[0]
        spec = ("--fault", "throttle=0.3,error500=0.1")

        def run(seed):
            with ReplayServer(*spec, "--seed", str(seed)) as server:
                answers = poll_answers(server, tape, 40)
                # A reset rewinds the fault decisions with the tape.
                server.reset()
                self.assertEqual(poll_answers(server, tape, 40), answers, "after a reset")
                return answers

        first = run(7)
        self.assertTrue(any(a.startswith("400 ThrottlingException") for a in first), first)
        self.assertTrue(any(a.startswith("500 InternalServerError") for a in first), first)
        self.assertTrue(any(a.startswith("200 ") for a in first), first)
        self.assertEqual(run(7), first)
        self.assertNotEqual(run(8), first)

    def test_notfound_first_then_the_tape_plays_from_its_start(self):
        tape = next(t for t in terminal_tapes()
                    if t.answers[0][0] == 200 and t.waiter_end()[1] in WAITER_SUCCESS)
        with ReplayServer("--fault", "notfound-first=2") as server:
            raw = []
            for _ in range(2):
                status, headers, body = server.call("GetCommandInvocation", tape.params())
                raw.append((status, json.loads(body)))
                self.assertEqual(headers.get("content-type"), "application/x-amz-json-1.1")
                self.assertTrue(headers.get("x-amzn-requestid"))
            self.assertEqual(raw, [(400, {"__type": "InvocationDoesNotExist"})] * 2)
            rest = poll_answers(server, tape, len(tape.answers))
            self.assertEqual(rest, [f"{s} {state}" for (s, _), state in zip(tape.answers, tape.states())])
            self.assertEqual(faults_injected(server, "notfound"), 2)

            # The waiter retries InvocationDoesNotExist: it takes exactly 2 more calls than the tape's.
            server.reset()
            ssm = server.ssm_client()
            calls = count_calls(ssm)
            ssm.get_waiter("command_executed").wait(**tape.params(), WaiterConfig=NO_DELAY)
            self.assertEqual(calls[0], tape.waiter_end()[0] + 2)

            # In boto3, an injected one surfaces as the modelled exception.
            other = [t for t in terminal_tapes() if t.path != tape.path][0]
            with self.assertRaises(ssm.exceptions.InvocationDoesNotExist):
                ssm.get_command_invocation(**other.params())

    def test_reset_closes_the_connection_without_an_answer(self):
        tape = terminal_tapes()[0]
        with ReplayServer("--fault", "reset=1") as server:
            ssm = client(server, total_max_attempts=1)  # no retry: the error reaches the caller
            sends = count_sends(ssm)
            with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                    botocore.exceptions.EndpointConnectionError)):
                ssm.get_command_invocation(**tape.params())
            self.assertEqual(sends[0], 1)
            # With max_attempts=1 (one retry), botocore tries twice and still gets no answer.
            ssm = client(server, max_attempts=1)
            sends = count_sends(ssm)
            with self.assertRaises(botocore.exceptions.ConnectionClosedError):
                ssm.get_command_invocation(**tape.params())
            self.assertEqual(sends[0], 2)
            # On the socket: the request is read, then the connection ends with not one byte back.
            body = json.dumps(tape.params()).encode()
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSSM.GetCommandInvocation\r\n"
                             b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                received = b""
                try:
                    while chunk := sock.recv(4096):
                        received += chunk
                except ConnectionResetError:
                    pass
                self.assertEqual(received, b"")
            self.assertEqual(faults_injected(server, "reset"), 4)
            # The server is fine afterwards: admin endpoints answer, and the tape has not moved.
            self.assertEqual(server.http("GET", "/__replay/health")[0], 200)
            self.assertEqual(server.requests_count("GetCommandInvocation", "hit"), 0)

    def test_standard_retries_ride_through_resets(self):
        tapes = [t for t in terminal_tapes() if t.waiter_end()[1] in WAITER_SUCCESS]
        with ReplayServer("--fault", "reset=0.3,throttle=0.1", "--seed", "3") as server:
            ssm = retrying_client(server)
            sends = count_sends(ssm)
            for tape in tapes:
                ssm.get_waiter("command_executed").wait(**tape.params(), WaiterConfig=NO_DELAY)
            resets, throttles = faults_injected(server, "reset"), faults_injected(server, "throttle")
            self.assertGreater(resets, 0)
            hits = server.requests_count("GetCommandInvocation", "hit")
            self.assertEqual(hits, sum(t.waiter_end()[0] for t in tapes))
            self.assertEqual(sends[0], hits + resets + throttles)  # every fault was retried

    def test_delay_is_added(self):
        tape = next(t for t in terminal_tapes() if t.answers[0][0] == 200)
        with ReplayServer("--fault", "delay=300") as server:
            start = time.monotonic()
            status, _, _ = server.call("GetCommandInvocation", tape.params())
            self.assertEqual(status, 200)
            self.assertGreaterEqual(time.monotonic() - start, 0.3)
            self.assertEqual(faults_injected(server, "delay"), 1)
        with ReplayServer("--fault", "delay=150-250") as server:
            for _ in range(3):
                start = time.monotonic()
                server.call("GetCommandInvocation", tape.params())
                self.assertGreaterEqual(time.monotonic() - start, 0.15)

    def test_auto_mode_injects_too(self):
        # Every key called has a tape, so the (closed) upstream is never reached.
        tape = terminal_tapes()[0]
        with ReplayServer("--fault", "throttle=1", "--upstream", "http://127.0.0.1:9", mode="auto") as server:
            status, _, body = server.call("GetCommandInvocation", tape.params())
            self.assertEqual((status, json.loads(body)), (400, {"__type": "ThrottlingException",
                                                                "message": "Rate exceeded"}))
            self.assertEqual(faults_injected(server, "throttle"), 1)

    def test_bad_spec_and_wrong_mode_are_refused_clearly(self):
        wrong_mode = "--fault works in --mode replay and auto only"
        cases = [
            (("--mode", "replay", "--fault", "throttle=0.2,bogus=1"), "'bogus=1'"),
            (("--mode", "replay", "--fault", "throttle=2"), "'throttle=2'"),
            (("--mode", "replay", "--fault", "delay=20-5"), "'delay=20-5'"),
            (("--mode", "replay", "--fault", "throttle=0.7", "--fault", "reset=0.7"),
             "sum must be at most 1"),
            (("--mode", "replay", "--seed", "4"), "--seed only applies to --fault"),
            (("--mode", "record", "--fault", "throttle=0.1"), wrong_mode),
            (("--mode", "passthrough", "--fault", "throttle=0.1"), wrong_mode),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                proc = run_tool("serve", "--store", "/nonexistent-ssm-replay-store", "--listen",
                                "127.0.0.1:0", *args, timeout=30)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn(expected, proc.stderr)
                self.assertNotIn("listening on", proc.stdout)


if __name__ == "__main__":
    unittest.main()
