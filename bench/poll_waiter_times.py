#!/usr/bin/env python3
"""Wall time of the AWS CLI's own waiter, `aws ssm wait command-executed` at its default 5 s delay, on
issue 13's tape (1 InvocationDoesNotExist, 2 Pending, 12 InProgress, 1 Success) under `serve --polls
recorded`, `collapse` and `final`, one server after the other. Prints, per policy, the waiter's wall
time, the time from its first poll to its last as the server logged them (the waiting the policy
decides, without the AWS CLI's own start-up), the polls answered and the states served; then the wall
time of one plain `aws ssm get-command-invocation` (the CLI's start-up, the floor of any waiter run);
then a Markdown table for bench/README.md.

Not a test: it never fails on a number (tests/e2e/test_polls.py asserts the sequences). `recorded`
takes about 75 s, so `make test` does not run it:

    python3 bench/poll_waiter_times.py                       # recorded, collapse, final
    python3 bench/poll_waiter_times.py --policies collapse,final
    SSM_REPLAY_BIN=other/build/ssm-replay python3 bench/poll_waiter_times.py
"""
import argparse
import datetime
import itertools
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))

from harness import ReplayServer, aws_cli  # noqa: E402
from waiter_tape import (COLLAPSED, INSTANCE, RECORDED, WaiterTape, cli_waiter,  # noqa: E402
                         served_entries, states_of)


# The polls a waiter makes on the tape under each policy: served_entries waits for that many lines
# (and shows any beyond).
EXPECTED_POLLS = {"recorded": len(RECORDED), "collapse": len(COLLAPSED), "final": 1}


def log_time(entry):
    return datetime.datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()


def run(tape, policy):
    """(waiter exit code, wall seconds, seconds from the first poll to the last, steps served) for one
    server with --polls `policy`."""
    with ReplayServer("--polls", policy, import_paths=[tape.dir]) as server:
        code, seconds, err = cli_waiter(server.url, tape.command_id)
        if code != 0:
            print(f"{policy}: the waiter exited {code}: {err.strip()}", file=sys.stderr)
        entries = served_entries(server, "default", EXPECTED_POLLS[policy])
        polling = log_time(entries[-1]) - log_time(entries[0]) if entries else 0.0
        return code, seconds, polling, [e.get("step", 0) for e in entries]


def runs_of(states):
    """"A → B ×2 → C" for [A, B, B, C]."""
    runs = [[state, len(list(group))] for state, group in itertools.groupby(states)]
    return " → ".join(state if n == 1 else f"{state} ×{n}" for state, n in runs)


def cli_call_seconds(tape):
    """Wall time of one `aws ssm get-command-invocation`: what the AWS CLI itself costs (start-up, one
    call), the floor of any waiter run."""
    with ReplayServer(import_paths=[tape.dir]) as server:
        started = time.monotonic()
        code, _, err = aws_cli(server.url, "get-command-invocation", "--command-id", tape.command_id,
                               "--instance-id", INSTANCE)
        seconds = time.monotonic() - started
        if code not in (0, 254, 255):
            print(f"baseline call exited {code}: {err.strip()}", file=sys.stderr)
        return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", default="recorded,collapse,final", help="comma-separated --polls values")
    args = parser.parse_args()
    tape = WaiterTape()
    rows = []
    try:
        for policy in args.policies.split(","):
            code, seconds, polling, steps = run(tape, policy)
            states = runs_of(states_of(tape, steps))
            print(f"{policy:9} {seconds:7.2f} s wall, {polling:6.2f} s first to last poll, {len(steps):2} polls, "
                  f"exit {code}: {states}", flush=True)
            rows.append((policy, seconds, polling, len(steps), states))
        baseline = cli_call_seconds(tape)
        print(f"one AWS CLI call (no waiter): {baseline:.2f} s", flush=True)
    finally:
        tape.close()
    print("\n| --polls | waiter wall time | first to last poll | polls | states served |\n|---|---|---|---|---|")
    for policy, seconds, polling, polls, states in rows:
        print(f"| `{policy}` | {seconds:.1f} s | {polling:.1f} s | {polls} | {states} |")
    print(f"| one `aws ssm get-command-invocation`, no waiter | {baseline:.1f} s | | 1 | |")


if __name__ == "__main__":
    main()
