#!/usr/bin/env python3
"""Writes the replay benchmark's tape: one GetCommandInvocation tape (Pending, InProgress, Success) whose
terminal answer is a realistic ~2 KB body, plus that body's exact bytes for the floor server.

    python3 bench/make_bench_tape.py OUT_DIR
        OUT_DIR/tapes/get-command-invocation/<CommandId>_<InstanceId>.json   (import this)
        OUT_DIR/body.json    the terminal body, byte for byte as the replay server answers it
        OUT_DIR/key.env      BENCH_COMMAND_ID=... BENCH_INSTANCE_ID=... (for bench/gcinv.lua)

Deterministic: no clock, no randomness. Stdlib only.
"""
import json
import os
import sys

COMMAND_ID = "3f6b2a9e-1c4d-4e8f-9a7b-5d2c8e1f0a34"
INSTANCE_ID = "i-0a1b2c3d4e5f60718"
STDOUT = "".join(
    "Nov 29 08:%02d:%02d ip-10-0-3-27 app-api[2217]: INFO GET /api/v1/orders/%d status=200 took=%dms\n"
    % (10 + i // 6, (i * 7) % 60, 4810230 + 37 * i, 3 + (i * 13) % 90)
    for i in range(14))


def body(status, code, start, elapsed, end, stdout):
    return {
        "CommandId": COMMAND_ID, "InstanceId": INSTANCE_ID, "Comment": "Check service status (platform, CHG-4821)",
        "DocumentName": "AWS-RunShellScript", "DocumentVersion": "", "PluginName": "aws:runShellScript",
        "ResponseCode": code, "ExecutionStartDateTime": start, "ExecutionElapsedTime": elapsed,
        "ExecutionEndDateTime": end, "Status": status, "StatusDetails": status, "StandardOutputContent": stdout,
        "StandardOutputUrl": "", "StandardErrorContent": "", "StandardErrorUrl": "",
        "CloudWatchOutputConfig": {"CloudWatchLogGroupName": "", "CloudWatchOutputEnabled": False},
    }


def main():
    out = sys.argv[1]
    answers = [
        ("2026-11-29T08:10:00.412Z", body("Pending", -1, "", "", "", "")),
        ("2026-11-29T08:10:05.471Z", body("InProgress", -1, "2026-11-29T08:10:01.022Z", "PT4.449S", "", "")),
        ("2026-11-29T08:10:10.530Z", body("Success", 0, "2026-11-29T08:10:01.022Z", "PT6.127S",
                                          "2026-11-29T08:10:07.149Z", STDOUT)),
    ]
    request = {"CommandId": COMMAND_ID, "InstanceId": INSTANCE_ID}
    tape = {
        "ssmReplayTape": 1,
        "key": {"action": "GetCommandInvocation", "CommandId": COMMAND_ID, "InstanceId": INSTANCE_ID},
        "interactions": [{
            "recordedAt": at, "upstreamLatencyMicros": 31000 + 1000 * n, "source": "fixture", "request": request,
            "response": {"status": 200, "headers": {"Content-Type": "application/x-amz-json-1.1",
                                                    "x-amzn-RequestId": "8d3c1a52-6f0e-4b7a-9c1d-2e5f7a9b0c3d"},
                         "body": b}} for n, (at, b) in enumerate(answers)],
    }
    folder = os.path.join(out, "tapes", "get-command-invocation")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "%s_%s.json" % (COMMAND_ID, INSTANCE_ID)), "w") as f:
        f.write(json.dumps(tape, indent=2, ensure_ascii=False) + "\n")
    terminal = json.dumps(answers[-1][1], separators=(",", ":"), ensure_ascii=False)
    with open(os.path.join(out, "body.json"), "w") as f:
        f.write(terminal)
    with open(os.path.join(out, "key.env"), "w") as f:
        f.write("BENCH_COMMAND_ID=%s\nBENCH_INSTANCE_ID=%s\n" % (COMMAND_ID, INSTANCE_ID))
    print(len(terminal.encode()))


if __name__ == "__main__":
    main()
