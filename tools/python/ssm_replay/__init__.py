"""ssm-replay from Python: start and stop a server, drive its sessions over the admin API, and name a
session after a test. Standard library only; importable with PYTHONPATH=tools/python.

    from ssm_replay import Server, Admin, new_run_id, session_name

    with Server(store="./tapes") as server:              # build/ssm-replay serve on a free port
        admin = Admin(server.url)
        name = session_name(new_run_id(), "tests/test_deploy.py::test_rollout")
        admin.open_session(name, polls="final")
        # point a client at f"{server.url}/session/{name}", e.g. AWS_ENDPOINT_URL_SSM
        admin.delete_session(name)

The pytest plugin built on these is ssm_replay.pytest_plugin (`pytest -p ssm_replay.pytest_plugin`)."""
from .admin import Admin, AdminError
from .names import new_run_id, session_name, session_url
from .server import Server, ServerError, default_binary

__all__ = ["Admin", "AdminError", "Server", "ServerError", "default_binary", "new_run_id", "session_name",
           "session_url"]
