#!/usr/bin/env python3
"""Server-side time of the tape browser's listing, GET /__replay/api/tapes, on a store.

    python3 bench/ui_list.py --store STORE [--bin build/ssm-replay] [--pages 20] [--prefixes 30] [--seed 1]

Serves STORE (replay mode, 127.0.0.1:0), then asks: the first page and `--pages` pages after it
(following `next`), and for `--prefixes` random CommandId prefixes of 1 to 4 hex digits a first page
and the page after it (pages starting anywhere in the key order). 50 tapes a page, the browser's
page size. The time of each is the access log's `us` (the server's own time for the request, from
its first byte read to the answer written), so the client and the loopback do not count. Prints
count, median, p90, p99 and max in ms, and the tapes the store holds."""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

LISTENING = re.compile(r"listening on .*:(\d+)$", re.M)


def start(binary, store, logdir):
    out = open(os.path.join(logdir, "serve.out"), "wb")
    err = open(os.path.join(logdir, "serve.err"), "wb")
    proc = subprocess.Popen([binary, "serve", "--mode", "replay", "--store", store, "--listen", "127.0.0.1:0"],
                            stdout=out, stderr=err)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(out.name, encoding="utf-8") as f:
            m = LISTENING.search(f.read())
        if m:
            return proc, int(m.group(1)), err.name
        if proc.poll() is not None:
            sys.exit(f"serve exited with {proc.returncode}: see {err.name}")
        time.sleep(0.05)
    proc.kill()
    sys.exit("serve did not print its port within 60 s")


def page(port, **params):
    url = f"http://127.0.0.1:{port}/__replay/api/tapes?" + urllib.parse.urlencode({"limit": 50, **params})
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def list_times_us(err_path, expected):
    """The `us` of the listing's access-log lines, waiting (bounded) until all `expected` are written."""
    deadline = time.monotonic() + 30
    while True:
        times = []
        with open(err_path, encoding="utf-8") as f:
            for line in f:
                if '"/__replay/api/tapes"' in line:
                    times.append(json.loads(line)["us"])
        if len(times) >= expected or time.monotonic() > deadline:
            return times
        time.sleep(0.05)


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--bin", default="build/ssm-replay")
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--prefixes", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    logdir = tempfile.mkdtemp(prefix="ssm-bench-ui-")
    proc, port, err_path = start(args.bin, args.store, logdir)
    try:
        requests = 0
        body = page(port)
        requests += 1
        for _ in range(args.pages):
            if not body["next"]:
                break
            body = page(port, after=body["next"])
            requests += 1
        for _ in range(args.prefixes):
            prefix = "".join(rng.choice("0123456789abcdef") for _ in range(rng.randint(1, 4)))
            body = page(port, prefix=prefix)
            requests += 1
            if body["next"]:
                page(port, prefix=prefix, after=body["next"])
                requests += 1
        times = sorted(t / 1000 for t in list_times_us(err_path, requests))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    stats = subprocess.run([args.bin, "stats", "--store", args.store], capture_output=True, text=True).stdout
    tapes = re.search(r"tapes\D*([\d,]+)", stats)
    print(f"store {args.store}: {tapes.group(1) if tapes else '?'} tapes")
    print(f"GET /__replay/api/tapes (50 a page), server-side, {len(times)} requests: "
          f"median {quantile(times, 0.5):.2f} ms, p90 {quantile(times, 0.9):.2f} ms, "
          f"p99 {quantile(times, 0.99):.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
