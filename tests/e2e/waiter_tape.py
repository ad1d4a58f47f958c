"""The tape of issue 13's polls acceptance, written by `ssm-replay synth`: a command polled by a waiter
every 5 s (the AWS CLI's default delay) through 1 InvocationDoesNotExist, 2 Pending, 12 InProgress
and 1 Success, with the SendCommand answer that started it; and what the tests read back: which states
the server served (its access log), and the AWS CLI waiter run against it."""
import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

from fixture_tapes import FixtureTape
from harness import ReplayServer, aws_cli, client_env, run_tool, wait_until
from server_log import access_entries

INSTANCE = "i-08b0130f3ddd5f444"
STATES = "InvocationDoesNotExist,Pending*2,InProgress*12,Success"
RECORDED = ["InvocationDoesNotExist"] + ["Pending"] * 2 + ["InProgress"] * 12 + ["Success"]
COLLAPSED = ["InvocationDoesNotExist", "Pending", "InProgress", "Success"]


class WaiterTape:
    """The tapes as files under a temp dir (`dir`, importable with import_paths=[dir]): `invocation`
    and `send_command` (FixtureTape), and each one's raw tape-file JSON (`*_data`)."""

    def __init__(self, seed=13):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-waiter-tape-")
        try:
            proc = run_tool("synth", "--out", self.dir, "--seed", str(seed), "--instance-id", INSTANCE,
                            "--states", STATES, "--send-command")
            if proc.returncode != 0:
                raise AssertionError(f"synth failed ({proc.returncode}): {proc.stderr}")
            self.invocation_path = _one(self.dir, "get-command-invocation")
            self.send_command_path = _one(self.dir, "send-command")
        except BaseException:
            self.close()
            raise
        self.invocation = FixtureTape(self.invocation_path)
        self.send_command = FixtureTape(self.send_command_path)
        self.invocation_data = _load(self.invocation_path)
        self.send_command_data = _load(self.send_command_path)
        if self.invocation.states() != RECORDED:
            raise AssertionError(f"synth wrote {self.invocation.states()}, not {RECORDED}")

    @property
    def command_id(self):
        return self.invocation.command_id

    def body_text(self, data, step):
        """The recorded body of interaction `step` (from 0) of a tape's JSON, as the server stores it:
        the tape file's body dumped compactly, as import does."""
        response = data["interactions"][step]["response"]
        if "body" not in response:
            return response["bodyText"].encode()
        return json.dumps(response["body"], separators=(",", ":"), ensure_ascii=False).encode()

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def _one(root, folder):
    paths = glob.glob(os.path.join(root, folder, "*.json"))
    if len(paths) != 1:
        raise AssertionError(f"expected one tape file in {folder}/, found {paths}")
    return paths[0]


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def cli_waiter(url, command_id, timeout=240):
    """`aws ssm wait command-executed` (default delay 5 s, 20 attempts) against `url`, with the CLI's
    default retries: the server closes a keep-alive connection idle for 5 s, the waiter's delay, so a
    poll can meet its connection being closed, which the CLI as users run it retries (the request was
    never read, so the server's sequence is unchanged). (exit code, wall seconds, stderr)."""
    env = client_env()
    del env["AWS_MAX_ATTEMPTS"]
    started = time.monotonic()
    try:
        code, _, err = aws_cli(url, "wait", "command-executed", "--command-id", command_id,
                               "--instance-id", INSTANCE, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"the waiter did not return within {timeout} s") from e
    return code, time.monotonic() - started, err


def served_entries(server, session, at_least):
    """The access-log entries of the GetCommandInvocation calls the server answered for `session`, in
    order, once there are `at_least` (a server logs a call just after answering it, so a client can
    finish before its last call's line is written). Then a sentinel call, in a session of its own, is
    logged too, so a call beyond `at_least` that was answered before it shows as well."""
    def session_entries(entries):
        return [e for e in entries
                if e.get("action") == "GetCommandInvocation" and e.get("session", "default") == session]

    wait_until(lambda: len(session_entries(access_entries(server.stderr()))) >= at_least, 10,
               lambda: f"{at_least} GetCommandInvocation lines of session {session} in the access log, "
                       f"got {session_entries(access_entries(server.stderr()))}")
    sentinel_session = f"log-sentinel-{uuid.uuid4()}"
    status, _, _ = server.call("ListCommands", {"MaxResults": 7}, {"X-Ssm-Replay-Session": sentinel_session})
    if status == 0:
        raise AssertionError("the sentinel call got no answer")

    def sentinel_logged():
        entries = access_entries(server.stderr())
        return entries if any(e.get("session") == sentinel_session for e in entries) else None

    return session_entries(wait_until(sentinel_logged, 10, "the sentinel call's access-log line"))


def served_steps(server, session, at_least):
    """The steps (1-based tape entries) served_entries answered with (0: a call no entry answered)."""
    return [e.get("step", 0) for e in served_entries(server, session, at_least)]


def states_of(tape, steps):
    """The recorded state of each step (None for a call no entry answered)."""
    states = tape.invocation.states()
    return [states[step - 1] if 0 < step <= len(states) else None for step in steps]


class WaiterTapeTest(unittest.TestCase):
    """Base of the tests over the tape: `tape` for the class, `serve(ARGS...)` a replay server over it
    for one test, `configure_session` the admin call POST /__replay/sessions."""

    @classmethod
    def setUpClass(cls):
        cls.tape = WaiterTape()

    @classmethod
    def tearDownClass(cls):
        cls.tape.close()

    def serve(self, *args):
        server = ReplayServer(*args, import_paths=[self.tape.dir])
        self.addCleanup(server.close)
        return server

    def configure_session(self, server, **fields):
        """POST /__replay/sessions with `fields`; asserts 200 and returns the answer's JSON."""
        status, _, body = server.http("POST", "/__replay/sessions", json.dumps(fields), token=server.admin_token)
        self.assertEqual(status, 200, body)
        return json.loads(body)
