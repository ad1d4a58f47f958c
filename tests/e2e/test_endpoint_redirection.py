"""Zero-code redirection: an application that sets no endpoint in code reaches ssm-replay through the
environment alone, AWS_ENDPOINT_URL_SSM or AWS_ENDPOINT_URL, with the AWS CLI, boto3 and the JS SDK v3
(tests/e2e/js, installed by tools/setup.sh --tests), with and without a /session/NAME path in the URL. Each
client polls the nginx tape and must see its recorded answers in order (request ids and bodies where
the client shows them); a session path must leave the default session where it was, and no path must
use the default session. AWS_ENDPOINT_URL_SSM wins over AWS_ENDPOINT_URL."""
import itertools
import json
import os
import subprocess
import sys
import unittest

from harness import FixturesServerTest, client_env
from upstreams import free_port

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
from ssm_replay import Admin  # noqa: E402
from ssm_replay.tape_files import tape_files  # noqa: E402
from fixture_tapes import FIXTURES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "js")
NGINX = next(t for t in tape_files(FIXTURES, "GetCommandInvocation") if t.key["InstanceId"] == "i-08b0130f3ddd5f444")
TIMES = len(NGINX.answers)

# boto3 as an application uses it: boto3.client("ssm"), nothing about endpoints in code.
BOTO3_POLLS = r"""
import json, sys, boto3
ssm = boto3.client("ssm")
answers = []
ssm.meta.events.register("response-received.ssm", lambda response_dict=None, **_: answers.append(response_dict))
for _ in range(int(sys.argv[1])):
    try:
        ssm.get_command_invocation(CommandId=sys.argv[2], InstanceId=sys.argv[3])
    except ssm.exceptions.ClientError:
        pass
for a in answers:
    print(json.dumps({"status": a["status_code"], "requestId": a["headers"].get("x-amzn-RequestId"),
                      "body": a["body"].decode()}))
"""


def outcome(status, body):
    doc = json.loads(body)
    return doc.get("__type", "").split("#")[-1] if status >= 300 else doc["Status"]


def expected(with_ids=True, with_bodies=False, with_status=True):
    """The tape's answers as (HTTP status, request id, body bytes, outcome), less what a client hides
    (an error's status shows only as "error" where `with_status` is False)."""
    return [(a.status if with_status or a.status < 300 else "error", a.request_id if with_ids else None,
             a.body if with_bodies else None, outcome(a.status, a.body)) for a in NGINX.answers]


def run(cmd, env, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def poll_with_cli(env):
    """`aws ssm get-command-invocation` TIMES times: (200 or "error", None, None, outcome) per call (the
    CLI shows no HTTP status, request id or raw body); a 200 body must equal the recorded one as JSON."""
    seen = []
    for answer in NGINX.answers:
        proc = run(["aws", "ssm", "get-command-invocation", "--command-id", NGINX.key["CommandId"],
                    "--instance-id", NGINX.key["InstanceId"], "--output", "json"], env)
        if proc.returncode == 0:
            doc = json.loads(proc.stdout)
            if doc != json.loads(answer.body):
                raise AssertionError(f"CLI printed {doc}, recorded {answer.body!r}")
            seen.append((200, None, None, doc["Status"]))
        else:
            # "An error occurred (InvocationDoesNotExist) when calling ..."
            error = proc.stderr.split("(", 1)[1].split(")", 1)[0] if "(" in proc.stderr else proc.stderr
            seen.append(("error", None, None, error))
    return seen


def poll_with_boto3(env):
    proc = run([sys.executable, "-c", BOTO3_POLLS, str(TIMES), NGINX.key["CommandId"], NGINX.key["InstanceId"]], env)
    if proc.returncode != 0:
        raise AssertionError(f"boto3 client failed: {proc.stderr[-3000:]}")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return [(x["status"], x["requestId"], x["body"].encode(), outcome(x["status"], x["body"])) for x in lines]


def poll_with_js(env, endpoint=None):
    cmd = ["node", "poll_invocation.mjs", *(["--endpoint", endpoint] if endpoint else []), str(TIMES),
           NGINX.key["CommandId"], NGINX.key["InstanceId"]]
    proc = run(cmd, env, cwd=JS_DIR)
    if proc.returncode != 0:
        raise AssertionError(f"JS SDK client failed (is tests/e2e/js installed? tools/setup.sh --tests): {proc.stderr[-3000:]}")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    return [(x["status"], x["requestId"], None, x["outcome"]) for x in lines]


class EndpointRedirectionTest(FixturesServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = Admin(cls.server.url)
        cls.names = itertools.count(1)

    def env(self, **endpoints):
        # No endpoint anywhere but in these variables (clean_env drops the user's AWS_*); JS reads AWS_REGION.
        return client_env(AWS_REGION="us-east-1", **endpoints)

    def default_session_next_id(self):
        """The request id of the default session's next answer, found with one raw call (which advances it)."""
        _, headers, _ = self.server.call("GetCommandInvocation", NGINX.invocation_params())
        return headers.get("x-amzn-requestid")

    def check(self, poll, shape):
        """Runs `poll` (a client) under each way of naming the endpoint; `shape`: what it shows."""
        for variable, with_session in itertools.product(("AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL"), (False, True)):
            with self.subTest(variable=variable, session_path=with_session):
                self.server.reset()
                name = f"redirect-{next(self.names)}"
                url = f"{self.server.url}/session/{name}" if with_session else self.server.url
                self.assertEqual(poll(self.env(**{variable: url})), expected(**shape))
                # A session path leaves the default session at its start; no path used the default session.
                after = NGINX.answers[0] if with_session else NGINX.answers[-1]
                self.assertEqual(self.default_session_next_id(), after.request_id)
                listed = [s["name"] for s in self.admin.sessions()["sessions"]]
                self.assertEqual(name in listed, with_session, listed)
        with self.subTest("AWS_ENDPOINT_URL_SSM wins over AWS_ENDPOINT_URL"):
            name = f"redirect-{next(self.names)}"
            env = self.env(AWS_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}",
                           AWS_ENDPOINT_URL_SSM=f"{self.server.url}/session/{name}")
            self.assertEqual(poll(env), expected(**shape))

    def test_aws_cli(self):
        self.check(poll_with_cli, dict(with_ids=False, with_status=False))

    def test_boto3(self):
        self.check(poll_with_boto3, dict(with_bodies=True))

    def test_js_sdk_v3(self):
        self.check(poll_with_js, {})

    def test_js_sdk_v3_endpoint_in_code_with_a_session_path(self):
        """The README's JS example: `new SSMClient({endpoint: "http://127.0.0.1:4580/session/NAME"})`."""
        name = "redirect-js-in-code"
        answers = poll_with_js(self.env(), endpoint=f"{self.server.url}/session/{name}")
        self.assertEqual(answers, expected())
        self.assertIn(name, [s["name"] for s in self.admin.sessions()["sessions"]])


if __name__ == "__main__":
    unittest.main()
