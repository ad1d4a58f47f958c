#!/usr/bin/env python3
"""Replay miss latency: a `serve --mode replay` on PORT is sent N GetCommandInvocation misses whose
CommandId is one character off a recorded tape's (a fresh typo each, at a random position), then N hits
on that tape, then N SendCommand misses (a recorded request with TimeoutSeconds changed); prints the
client-side latency on loopback (median, p90, max) and checks each miss names the tape meant.

    python3 bench/miss_latency.py PORT COMMAND_ID INSTANCE_ID PLUGIN SEND_COMMAND_JSON [N]

COMMAND_ID/INSTANCE_ID/PLUGIN name a recorded tape (`ssm-replay list --store S --command-id 0000 --json`),
SEND_COMMAND_JSON the request of a recorded SendCommand tape (`ssm-replay show --store S --hash H`)."""
import http.client
import json
import random
import statistics
import sys
import time


def main():
    port, cmd, instance, plugin, send_json = sys.argv[1:6]
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 200
    conn = http.client.HTTPConnection("127.0.0.1", int(port))

    def call(action, body):
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM." + action}
        start = time.perf_counter()
        conn.request("POST", "/", json.dumps(body), headers)
        answer = conn.getresponse()
        data = answer.read()
        return (time.perf_counter() - start) * 1000, answer.status, data

    def report(what, times):
        times = sorted(times)
        print("%-32s n=%d median %.2f ms  p90 %.2f ms  max %.2f ms" %
              (what, len(times), statistics.median(times), times[int(0.9 * (len(times) - 1))], times[-1]))

    rng = random.Random(1)
    misses = []
    for _ in range(n):
        at = rng.choice([i for i, c in enumerate(cmd) if c != "-"])
        typo = cmd[:at] + ("0" if cmd[at] != "0" else "1") + cmd[at + 1:]
        ms, status, data = call("GetCommandInvocation", {"CommandId": typo, "InstanceId": instance, "PluginName": plugin})
        if status != 404 or cmd not in json.loads(data)["message"]:
            sys.exit("miss on %s did not name %s: %s" % (typo, cmd, data[:300]))
        misses.append(ms)
    report("GetCommandInvocation typo miss", misses)
    hits = [call("GetCommandInvocation", {"CommandId": cmd, "InstanceId": instance, "PluginName": plugin})[0]
            for _ in range(n)]
    report("GetCommandInvocation hit", hits)
    request = json.loads(send_json)
    sends = []
    for i in range(n):
        request["TimeoutSeconds"] = 100000 + i
        ms, status, data = call("SendCommand", request)
        if status != 404 or "closest recorded SendCommand request" not in json.loads(data)["message"]:
            sys.exit("SendCommand miss without a closest request: %s" % data[:300])
        sends.append(ms)
    report("SendCommand miss", sends)


if __name__ == "__main__":
    main()
