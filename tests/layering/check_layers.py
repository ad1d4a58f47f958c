#!/usr/bin/env python3
"""Checks that every #include follows the architecture's arrows (README "Layout").

Each folder may include only itself and the folders listed for it below; third-party headers that
belong to one layer (LMDB to the store, CLI11 to the command line, cpp-httplib to HTTP and the
upstream) may appear only there. Prints each violation as file:line and exits 1 if there is any.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# folder -> the folders its files may include (besides its own)
ALLOWED = {
    "store/port": [],
    "store": [],
    "store/tape_file": ["store"],
    "proxy/log": [],
    "proxy/ssm": ["store"],
    "proxy/aws": ["store", "proxy/ssm", "proxy/aws/credentials"],
    "proxy/aws/credentials": ["store", "proxy/ssm", "proxy/aws"],
    "proxy/replay": ["store"],
    "proxy/record": ["store"],
    "proxy/modes": ["store", "proxy/ssm", "proxy/aws", "proxy/aws/credentials", "proxy/replay", "proxy/record"],
    "proxy/http/ui": ["store", "proxy/ssm", "proxy/replay"],
    "proxy/http": ["store", "proxy/ssm", "proxy/replay", "proxy/modes", "proxy/http/ui"],
    "proxy/synth": ["store", "store/tape_file", "proxy/ssm"],
    "tools": ["store", "store/tape_file", "proxy/log", "proxy/ssm", "proxy/aws", "proxy/aws/credentials",
              "proxy/replay", "proxy/record", "proxy/modes", "proxy/http", "proxy/http/ui", "proxy/synth"],
}

# third-party header -> the folders that may include it
CONFINED = {
    "lmdb.h": ["store"],
    "CLI/CLI.hpp": ["tools"],
    "httplib.h": ["proxy/aws", "proxy/aws/credentials", "proxy/http", "proxy/http/ui"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(path: pathlib.Path) -> str:
    return path.parent.relative_to(ROOT).as_posix()


def check_file(path: pathlib.Path, problems: list) -> None:
    folder = folder_of(path)
    allowed = set(ALLOWED[folder]) | {folder, "store/port"}  # store/port: primitives under every layer
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = INCLUDE.match(line)
        if not match:
            continue
        header = match.group(2)
        where = f"{path.relative_to(ROOT)}:{number}"
        if header in CONFINED and folder not in CONFINED[header]:
            problems.append(f"{where}: {header} belongs to {', '.join(CONFINED[header])}, not {folder}/")
        if match.group(1) == '"':
            target = pathlib.PurePosixPath(header).parent.as_posix()
            if target not in ALLOWED:
                problems.append(f"{where}: {header} is in no known layer ({target}/)")
            elif target not in allowed:
                problems.append(f"{where}: {folder}/ may not include {header} ({target}/ is not below it)")


def main() -> int:
    problems: list = []
    checked = 0
    for folder in ALLOWED:
        for path in sorted((ROOT / folder).glob("*")):
            if path.suffix in (".h", ".cc"):
                check_file(path, problems)
                checked += 1
    stray = [p.relative_to(ROOT).as_posix() for p in (ROOT / "proxy").glob("*.*") if p.suffix in (".h", ".cc")]
    problems += [f"{p}: source directly in proxy/; it belongs in the folder of its concern" for p in stray]
    for problem in problems:
        print(problem)
    print(f"layers: {checked} files checked, {len(problems)} violations")
    if checked < 50:
        print("layers: too few files found; is ROOT right?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
