#!/usr/bin/env python3
"""Wall time of the AWS CLI's own waiter, `aws ssm wait command-executed` at its default 5 s delay, on
issue 13's tape (1 InvocationDoesNotExist, 2 Pending, 12 InProgress, 1 Success) under `serve --polls
recorded`, `collapse` and `final`, one server after the other. Prints, per policy, the wall time, the
polls the server answered and the states it served, then a Markdown table for bench/README.md.

Not a test: it never fails on a number (tests/e2e/test_polls.py asserts the sequences). `recorded`
takes about 75 s, so `make test` does not run it:

    python3 bench/poll_waiter_times.py                       # recorded, collapse, final
    python3 bench/poll_waiter_times.py --policies collapse,final
    SSM_REPLAY_BIN=other/build/ssm-replay python3 bench/poll_waiter_times.py
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))

from harness import ReplayServer  # noqa: E402
from waiter_tape import WaiterTape, cli_waiter, served_steps, states_of  # noqa: E402


def run(tape, policy):
    """(waiter exit code, wall seconds, steps served) for one server with --polls `policy`."""
    with ReplayServer("--polls", policy, import_paths=[tape.dir]) as server:
        code, seconds, err = cli_waiter(server.url, tape.command_id)
        if code != 0:
            print(f"{policy}: the waiter exited {code}: {err.strip()}", file=sys.stderr)
        return code, seconds, served_steps(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", default="recorded,collapse,final", help="comma-separated --polls values")
    args = parser.parse_args()
    tape = WaiterTape()
    rows = []
    try:
        for policy in args.policies.split(","):
            code, seconds, steps = run(tape, policy)
            states = " → ".join(states_of(tape, steps))
            print(f"{policy:9} {seconds:7.2f} s  {len(steps):2} polls  exit {code}  {states}", flush=True)
            rows.append((policy, seconds, len(steps), states))
    finally:
        tape.close()
    print("\n| --polls | wall time | polls | states served |\n|---|---|---|---|")
    for policy, seconds, polls, states in rows:
        print(f"| `{policy}` | {seconds:.1f} s | {polls} | {states} |")


if __name__ == "__main__":
    main()
