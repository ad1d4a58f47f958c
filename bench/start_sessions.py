"""Starts N named sessions on a replay server, each with one cursor (one GetCommandInvocation call on
the bench tape), for bench/run.sh sessions: python3 bench/start_sessions.py PORT N FIRST.
Exits 1 naming the first session that did not get HTTP 200."""
import http.client
import json
import os
import sys
import threading


def main():
    port, count, first = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    body = json.dumps({"CommandId": os.environ["BENCH_COMMAND_ID"], "InstanceId": os.environ["BENCH_INSTANCE_ID"]})
    failed = []

    def run(offset, step):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(first + offset, first + count, step):
            conn.request("POST", "/", body=body, headers={
                "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonSSM.GetCommandInvocation",
                "X-Ssm-Replay-Session": f"mem-{n}"})
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                failed.append(f"mem-{n}: HTTP {r.status}")
                return
        conn.close()

    threads = [threading.Thread(target=run, args=(i, 4)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        sys.exit("start_sessions: " + failed[0])


if __name__ == "__main__":
    main()
