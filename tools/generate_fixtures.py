#!/usr/bin/env python3
"""Writes the bundled fixture tapes in fixtures/ (the tape-file format of store/tape_file/tape_file.h).

The tapes follow the documented AWS shapes (botocore's ssm service model, the GetCommandInvocation and
SendCommand API references, AWS CLI examples); they are not recordings of a real account. Everything is
derived from fixed seeds, so running this twice writes identical files. The code is the package
tools/python/fixture_gen/; this is its command line.

    python3 tools/generate_fixtures.py            # writes into fixtures/ next to tools/
    python3 tools/generate_fixtures.py --out DIR  # writes somewhere else
    python3 tools/generate_fixtures.py --check    # exits 1 when fixtures/ differs from what it would write
    python3 tools/generate_fixtures.py --validate DIR  # checks tape files (layout, keys, AWS shapes)

Stdlib only.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "python"))

from fixture_gen.scenarios import build_tapes  # noqa: E402
from fixture_gen.tape import render  # noqa: E402
from fixture_gen.validate import validate_dir  # noqa: E402


def report_validation(root, summary):
    """Prints the problems under `root` and a summary line; returns them."""
    problems, count, total = validate_dir(root)
    for p in problems:
        print(p, file=sys.stderr)
    print(summary % {"count": count, "total": total, "problems": len(problems)})
    return problems, count


def stale_files(tapes, out):
    """The fixture files under `out` that differ from what would be written (or are missing)."""
    stale = []
    for tape in tapes:
        try:
            with open(os.path.join(out, tape.file_name()), encoding="utf-8") as f:
                if f.read() != render(tape):
                    stale.append(tape.file_name())
        except FileNotFoundError:
            stale.append(tape.file_name())
    return stale


def write_files(tapes, out):
    for tape in tapes:
        path = os.path.join(out, tape.file_name())
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(render(tape))
        print(tape.file_name())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(HERE, "..", "fixtures"), help="fixtures directory")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--validate", metavar="DIR", help="only validate the tape files under DIR")
    args = parser.parse_args()

    if args.validate:
        problems, count = report_validation(args.validate,
                                            "%(count)d tape files, %(total)d bytes, %(problems)d problems")
        return 1 if problems or not count else 0
    tapes = build_tapes()
    names = [t.file_name() for t in tapes]
    assert len(set(names)) == len(names), "two tapes map to one file"
    if args.check:
        stale = stale_files(tapes, args.out)
        for name in stale:
            print("differs: " + name, file=sys.stderr)
        return 1 if stale else 0
    write_files(tapes, args.out)
    problems, _ = report_validation(args.out, "%(count)d tape files, %(total)d bytes")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
