"""Runs pytest with this Python when pytest comes from Debian (python3-pytest), not from this Python's
own site-packages:

    PYTHONPATH=tools/python python3 -m ssm_replay.run_pytest -p ssm_replay.pytest_plugin ...

Debian's packages live in /usr/lib/python3/dist-packages, which also holds older copies of packages
such as urllib3. Putting that folder on PYTHONPATH would put it before this Python's site-packages and
load those copies under boto3; here it is appended after them, so it only supplies what is missing."""
import importlib.util
import sys

DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def main():
    if importlib.util.find_spec("pytest") is None:  # else this Python's own pytest
        sys.path.append(DEBIAN_DIST_PACKAGES)
    import pytest
    return pytest.console_main()


if __name__ == "__main__":
    sys.exit(main())
