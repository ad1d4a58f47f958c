"""pytest plugin: every test that asks for the `ssm_replay` fixture gets a session of its own on one
ssm-replay server, so tests running at the same time (pytest processes, CI jobs sharing a server) each
see every recorded sequence from its start.

    pytest -p ssm_replay.pytest_plugin --ssm-replay-store ./tapes      # starts serve for the run
    pytest -p ssm_replay.pytest_plugin --ssm-replay-url http://127.0.0.1:4580

    def test_rollout(ssm_replay):          # AWS_ENDPOINT_URL_SSM points at the test's session
        ssm = boto3.client("ssm")
        ...

    @pytest.mark.ssm_replay(polls="final")  # waiters return after one call
    def test_quick(ssm_replay): ...

Sessions are named "<run id>-<node id made valid>-<hash>" (ssm_replay.names); the run id is new for
each pytest process. After each test its session is deleted; in record and auto modes a test that
failed first has the tapes its session wrote discarded, so a failed run leaves no recording behind."""
import pytest

from .admin import POLLS, Admin, AdminError
from .names import new_run_id, session_name, session_url
from .server import Server, default_binary

MODES = ("replay", "record", "auto")
MARKER_ARGS = {"polls", "shift_times"}
_REPORTS = pytest.StashKey()


def pytest_addoption(parser):
    group = parser.getgroup("ssm-replay", "ssm-replay sessions (ssm_replay fixture)")
    group.addoption("--ssm-replay-store", metavar="DIR",
                    help="start `ssm-replay serve` over store DIR on a free loopback port for this run")
    group.addoption("--ssm-replay-bin", metavar="PATH",
                    help=f"the ssm-replay binary to start (default $SSM_REPLAY_BIN, else {default_binary()})")
    group.addoption("--ssm-replay-url", metavar="URL",
                    help="use the ssm-replay server already running at URL instead of starting one")
    group.addoption("--ssm-replay-mode", choices=MODES,
                    help="the server's mode: what a started server runs in (default replay); with "
                         "--ssm-replay-url, the default is what the server's health reports")
    group.addoption("--ssm-replay-polls", choices=POLLS,
                    help="polls for every test's session (default: the server's --polls); "
                         "@pytest.mark.ssm_replay(polls=...) overrides it per test")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ssm_replay(polls=None, shift_times=None): settings of the test's ssm-replay session "
                   "(polls: recorded, collapse or final; shift_times: True or False)")
    if config.getoption("ssm_replay_store") and config.getoption("ssm_replay_url"):
        raise pytest.UsageError("ssm-replay: give --ssm-replay-store DIR (start a server) or "
                                "--ssm-replay-url URL (use a running one), not both")
    if config.getoption("ssm_replay_bin") and not config.getoption("ssm_replay_store"):
        raise pytest.UsageError("ssm-replay: --ssm-replay-bin needs --ssm-replay-store DIR")


def pytest_report_header(config):
    store, url = config.getoption("ssm_replay_store"), config.getoption("ssm_replay_url")
    if store:
        return f"ssm-replay: starts serve over {store} on first use"
    if url:
        return f"ssm-replay: server {url}"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the item, for the fixture's teardown to see whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    item.stash.setdefault(_REPORTS, {})[report.when] = report


class SsmReplaySession:
    """What the `ssm_replay` fixture yields: the test's session and the URL that selects it."""

    def __init__(self, admin, base_url, session, polls):
        self._admin = admin
        self.base_url = base_url
        self.session = session
        self.polls = polls  # None: the server's default
        self.endpoint_url = session_url(base_url, session)

    def reset(self):
        """Rewinds every cursor of this test's session (no other session's)."""
        return self._admin.reset_session(self.session)

    def __repr__(self):
        return f"SsmReplaySession({self.endpoint_url!r})"


class _Run:
    """The server of this pytest process (started here or given) and the run id of its sessions."""

    def __init__(self, config):
        store, url = config.getoption("ssm_replay_store"), config.getoption("ssm_replay_url")
        if not store and not url:
            pytest.fail("ssm-replay: the ssm_replay fixture needs --ssm-replay-store DIR (start a server) or "
                        "--ssm-replay-url URL (use a running one)", pytrace=False)
        self.run_id = new_run_id()
        self.polls = config.getoption("ssm_replay_polls")
        self.mode = config.getoption("ssm_replay_mode")
        self.server = None
        if store:
            self.mode = self.mode or "replay"
            self.server = Server(store, self.mode, binary=config.getoption("ssm_replay_bin"))
            url = self.server.url
        self.base_url = url.rstrip("/")
        self.admin = Admin(self.base_url)
        if self.mode is None:  # a running server: its own word
            self.mode = self.admin.health().get("mode", "replay")

    def stop(self):
        if self.server is not None:
            code = self.server.stop()
            if code != 0:
                raise RuntimeError(f"ssm-replay serve exited with {code} (log: {self.server.stderr_path})")


@pytest.fixture(scope="session")
def ssm_replay_run(pytestconfig):
    """The run's server and run id (started on first use when --ssm-replay-store is given)."""
    run = _Run(pytestconfig)
    yield run
    run.stop()


@pytest.fixture
def ssm_replay(request, ssm_replay_run):
    """A session of the test's own, with AWS_ENDPOINT_URL_SSM pointing at it while the test runs."""
    run = ssm_replay_run
    polls, shift_times = _marker_settings(request.node, run.polls)
    name = session_name(run.run_id, request.node.nodeid)
    run.admin.open_session(name, polls=polls, shift_times=shift_times)
    session = SsmReplaySession(run.admin, run.base_url, name, polls)
    try:
        with pytest.MonkeyPatch.context() as env:
            env.setenv("AWS_ENDPOINT_URL_SSM", session.endpoint_url)
            yield session
        if run.mode in ("record", "auto") and _failed(request.node):
            run.admin.discard_session(name)
    finally:
        _delete_session(run.admin, name)


def _marker_settings(node, default_polls):
    """(polls, shift_times) from the test's ssm_replay marker, else the run's."""
    marker = node.get_closest_marker("ssm_replay")
    kwargs = dict(marker.kwargs) if marker else {}
    unknown = set(kwargs) - MARKER_ARGS
    if unknown or (marker and marker.args):
        pytest.fail(f"ssm_replay marker: takes only keyword arguments {sorted(MARKER_ARGS)}, "
                    f"got {sorted(unknown) or list(marker.args)}", pytrace=False)
    polls = kwargs.get("polls", default_polls)
    if polls is not None and polls not in POLLS:
        pytest.fail(f"ssm_replay marker: polls={polls!r}, use one of {', '.join(POLLS)}", pytrace=False)
    return polls, kwargs.get("shift_times")


def _failed(item):
    """Whether the test failed (setup or call), an expected failure (xfail) included."""
    reports = item.stash.get(_REPORTS, {})
    return any(r.failed or (r.skipped and hasattr(r, "wasxfail")) for r in reports.values())


def _delete_session(admin, name):
    try:
        admin.delete_session(name)
    except AdminError as e:
        if e.status != 404:  # 404: already gone (expired after --session-ttl)
            raise
