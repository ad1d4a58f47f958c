"""Fault injection (`serve --fault SPEC --seed N`) with real clients: boto3's standard retry mode rides
through injected throttling and the command_executed waiter still reaches the recorded terminal state;
the same seed gives the same answers; notfound-first, reset and delay do what they say.

Fixture keys and sequences are read from fixtures/ at test time. Only loopback is used."""
import json
import socket
import time
import unittest

import boto3
import botocore.config
import botocore.exceptions

from harness import (DUMMY_KEY_ID, DUMMY_SECRET, DUMMY_TOKEN, REGION, WAITER_FAILURE, WAITER_SUCCESS,
                     ReplayServer, count_calls, invocation_tapes, run_tool)

NO_DELAY = {"Delay": 0, "MaxAttempts": 20}


def retrying_client(server, max_attempts=10):
    """A boto3 SSM client with standard retries, as users configure it."""
    session = boto3.session.Session(aws_access_key_id=DUMMY_KEY_ID, aws_secret_access_key=DUMMY_SECRET,
                                    aws_session_token=DUMMY_TOKEN, region_name=REGION)
    cfg = botocore.config.Config(retries={"mode": "standard", "max_attempts": max_attempts})
    return session.client("ssm", endpoint_url=server.url, config=cfg)


def faults_injected(server, kind):
    return int(server.metrics().get(("ssm_replay_faults_injected_total", frozenset({"fault": kind}.items())), 0))


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
            client = retrying_client(server)
            calls = count_calls(client)
            for tape in tapes:
                _, state = tape.waiter_end()
                waiter = client.get_waiter("command_executed")
                if state in WAITER_SUCCESS:
                    waiter.wait(**tape.params(), WaiterConfig=NO_DELAY)
                else:
                    with self.assertRaises(botocore.exceptions.WaiterError) as caught:
                        waiter.wait(**tape.params(), WaiterConfig=NO_DELAY)
                    self.assertEqual(caught.exception.last_response.get("Status"), state, tape)
                # Past the end the terminal answer repeats: the state the waiter stopped on.
                self.assertEqual(client.get_command_invocation(**tape.params())["Status"], state, tape)
            throttles = faults_injected(server, "throttle")
            self.assertGreater(throttles, 0)
            fault_answers = server.requests_count("GetCommandInvocation", "fault")
            self.assertEqual(fault_answers, throttles)
            # Every throttled attempt was retried by botocore, invisible to the waiter.
            hits = server.requests_count("GetCommandInvocation", "hit")
            self.assertEqual(hits, calls[0])
            self.assertGreaterEqual(hits, sum(t.waiter_end()[0] for t in tapes))

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
        tape = next(t for t in terminal_tapes() if t.answers[0][0] == 200 and t.waiter_end()[1] in WAITER_SUCCESS)
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
            client = server.ssm_client()
            calls = count_calls(client)
            client.get_waiter("command_executed").wait(**tape.params(), WaiterConfig=NO_DELAY)
            self.assertEqual(calls[0], tape.waiter_end()[0] + 2)

            # In boto3, an injected one surfaces as the modelled exception.
            other = [t for t in terminal_tapes() if t.path != tape.path][0]
            with self.assertRaises(client.exceptions.InvocationDoesNotExist):
                client.get_command_invocation(**other.params())

    def test_reset_closes_the_connection_without_an_answer(self):
        tape = terminal_tapes()[0]
        with ReplayServer("--fault", "reset=1") as server:
            client = server.ssm_client()  # max_attempts 1: the error reaches the caller
            with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                    botocore.exceptions.EndpointConnectionError)):
                client.get_command_invocation(**tape.params())
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
            self.assertEqual(faults_injected(server, "reset"), 2)
            # The server is fine afterwards: admin endpoints answer, and the tape has not moved.
            self.assertEqual(server.http("GET", "/__replay/health")[0], 200)
            self.assertEqual(server.requests_count("GetCommandInvocation", "hit"), 0)

    def test_standard_retries_ride_through_resets(self):
        tape = next(t for t in terminal_tapes() if t.waiter_end()[1] in WAITER_SUCCESS)
        with ReplayServer("--fault", "reset=0.3,throttle=0.1", "--seed", "3") as server:
            client = retrying_client(server)
            client.get_waiter("command_executed").wait(**tape.params(), WaiterConfig=NO_DELAY)
            self.assertGreater(faults_injected(server, "reset"), 0)

    def test_delay_is_added(self):
        tape = terminal_tapes()[0]
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
        cases = [
            (("--mode", "replay", "--fault", "throttle=0.2,bogus=1"), "'bogus=1'"),
            (("--mode", "replay", "--fault", "throttle=2"), "'throttle=2'"),
            (("--mode", "replay", "--fault", "delay=20-5"), "'delay=20-5'"),
            (("--mode", "replay", "--fault", "throttle=0.7", "--fault", "reset=0.7"), "sum must be at most 1"),
            (("--mode", "replay", "--seed", "4"), "--seed only applies to --fault"),
            (("--mode", "record", "--fault", "throttle=0.1"), "--fault works in --mode replay and auto only"),
            (("--mode", "passthrough", "--fault", "throttle=0.1"), "--fault works in --mode replay and auto only"),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                proc = run_tool("serve", "--store", "/nonexistent-ssm-replay-store", "--listen", "127.0.0.1:0",
                                *args, timeout=30)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn(expected, proc.stderr)
                self.assertNotIn("listening on", proc.stdout)


if __name__ == "__main__":
    unittest.main()
