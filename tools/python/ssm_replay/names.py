"""Session names: what the server accepts (1-128 characters of [A-Za-z0-9._:-]), made from a test's
node id under a run id, so that the same suite run by several processes or CI jobs against one shared
server never uses one session twice."""
import hashlib
import re
import secrets

MAX_NAME = 128
# ':' is valid for the server, but kept out of the names made here: some clients percent-encode it in
# an endpoint URL's path, and the name then reaches the server as "%3A".
_OUTSIDE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_HASH_CHARS = 8


def new_run_id():
    """A run id for this process: 12 random hex digits (48 bits), so that runs started at the same
    time on different machines (where pids repeat) still differ."""
    return secrets.token_hex(6)


def session_name(run_id, node_id):
    """The session name of `node_id` (e.g. "tests/t.py::TestX::test_y[a/b]") in run `run_id`:
    "<run_id>-<readable part>-<8 hex of the node id's SHA-256>". The readable part is the node id with
    each run of other characters turned into "_", cut to fit 128 characters; the hash keeps two node
    ids apart when that turns them into the same text."""
    if not run_id or _OUTSIDE_NAME.search(run_id):
        raise ValueError(f"run id {run_id!r}: use 1 or more characters of [A-Za-z0-9._-]")
    digest = hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = MAX_NAME - len(run_id) - len(digest) - 2
    if room < 1:
        raise ValueError(f"run id {run_id!r} is too long: a session name has at most {MAX_NAME} characters")
    readable = _OUTSIDE_NAME.sub("_", node_id).strip("_")[:room] or "test"
    return f"{run_id}-{readable}-{digest}"


def session_url(base_url, name):
    """The endpoint URL that puts a client's calls in session `name` (the /session/NAME path prefix)."""
    return f"{base_url.rstrip('/')}/session/{name}"
