#!/usr/bin/env python3
"""Checks that README's "How a request flows" names only files that exist, so the newcomer's walk
through the tree stays true as files move. Exits 1 naming each missing file."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main() -> int:
    readme = (ROOT / "README.md").read_text()
    start = readme.find("### How a request flows")
    if start < 0:
        print("README.md has no 'How a request flows' section")
        return 1
    end = readme.find("\n## ", start)
    walk = readme[start:end if end >= 0 else len(readme)]
    names = sorted(set(re.findall(r"`((?:proxy|store|tools)/[\w/]+\.(?:cc|h))`", walk)))
    missing = [n for n in names if not (ROOT / n).is_file()]
    for name in missing:
        print(f"README 'How a request flows' names {name}, which does not exist")
    print(f"readme flow: {len(names)} files named, {len(missing)} missing")
    return 1 if missing or len(names) < 20 else 0


if __name__ == "__main__":
    sys.exit(main())
