"""The bundled fixtures (SSM_FIXTURES_DIR), read at test time so the end-to-end tests follow them: each
tape file's key and answers, and where botocore's command_executed waiter stops on it."""
import base64
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(HERE, "../../fixtures"))

# botocore's command_executed waiter acceptors (data/ssm/2014-11-06/waiters-2.json).
WAITER_SUCCESS = {"Success"}
WAITER_FAILURE = {"Cancelled", "TimedOut", "Failed", "Cancelling"}


class FixtureTape:
    """One tape file: its key and, per interaction, (HTTP status, parsed body or None)."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.key = data["key"]
        self.action = self.key["action"]
        self.answers = []
        for interaction in data["interactions"]:
            response = interaction["response"]
            if "body" in response:
                parsed = response["body"]
            elif "bodyText" in response:
                parsed = _maybe_json(response["bodyText"])
            else:
                parsed = _maybe_json(base64.b64decode(response.get("bodyBase64", "")).decode("utf-8", "replace"))
            self.answers.append((response["status"], parsed))
        self.request = data.get("key", {}).get("request")

    @property
    def command_id(self):
        return self.key.get("CommandId")

    @property
    def instance_id(self):
        return self.key.get("InstanceId")

    @property
    def plugin_name(self):
        return self.key.get("PluginName")

    def params(self):
        """boto3 keyword arguments for GetCommandInvocation."""
        p = {"CommandId": self.command_id, "InstanceId": self.instance_id}
        if self.plugin_name is not None:
            p["PluginName"] = self.plugin_name
        return p

    def states(self):
        """Per answer: the Status, or the error code for an error answer."""
        out = []
        for status, body in self.answers:
            if status >= 300:
                code = body.get("__type", "") if isinstance(body, dict) else ""
                out.append(code.split("#")[-1])
            else:
                out.append(body.get("Status") if isinstance(body, dict) else None)
        return out

    def waiter_end(self):
        """(1-based poll, state) where command_executed stops on this tape, or None if it never does."""
        for i, state in enumerate(self.states()):
            status = self.answers[i][0]
            if status >= 300:
                if state == "InvocationDoesNotExist":
                    continue
                return i + 1, state
            if state in WAITER_SUCCESS or state in WAITER_FAILURE:
                return i + 1, state
        return None

    def __repr__(self):
        return f"FixtureTape({os.path.relpath(self.path, FIXTURES)})"


def _maybe_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def fixture_tapes(action=None):
    paths = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True))
    tapes = []
    for path in paths:
        try:
            tape = FixtureTape(path)
        except (KeyError, ValueError):
            continue  # not a tape file
        if action is None or tape.action == action:
            tapes.append(tape)
    return tapes


def invocation_tapes():
    return fixture_tapes("GetCommandInvocation")
