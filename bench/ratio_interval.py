#!/usr/bin/env python3
"""How far the machine's load can move a ratio of medians: a 95 % bootstrap interval.

    ratio_interval.py "A1 A2 ..." "B1 B2 ..."   ->   "LOW HIGH"

A_i and B_i are one round's figures of two servers (req/s or p99), measured back to back; the
verdicts of `bench/run.sh replay` compare median(A) / median(B) with a target. This resamples whole
rounds (A_i with its own B_i, so that a round's shared load stays paired), 4,000 times with a fixed
seed, and prints the 2.5th and 97.5th percentiles of the resampled ratio, three decimals each. A
target inside the interval is within what the load alone can move; outside it, the verdict holds.
"""
import random
import statistics
import sys

RESAMPLES = 4000


def interval(a, b, seed=1):
    rng = random.Random(seed)
    rounds = range(len(a))
    ratios = []
    for _ in range(RESAMPLES):
        picked = [rng.choice(rounds) for _ in rounds]
        ratios.append(statistics.median(a[i] for i in picked) / statistics.median(b[i] for i in picked))
    ratios.sort()
    return ratios[int(0.025 * RESAMPLES)], ratios[int(0.975 * RESAMPLES) - 1]


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    a, b = ([float(x) for x in arg.split()] for arg in argv[1:])
    if not a or len(a) != len(b):
        sys.exit("ratio_interval.py: two lists of the same, non-zero length are needed")
    low, high = interval(a, b)
    print(f"{low:.3f} {high:.3f}")


if __name__ == "__main__":
    main(sys.argv)
