"""Tape files (the format of fixtures/ and `ssm-replay export`) read as a client sees their answers:
per interaction the HTTP status, the x-amzn-RequestId and the exact body bytes replay serves. For tests
that check a client saw a recorded sequence byte for byte."""
import base64
import collections
import glob
import json
import os

Answer = collections.namedtuple("Answer", "status request_id body")


def _body_bytes(response):
    """The stored bytes: "body" is JSON that prints back exactly in compact form (UTF-8, no escaping
    of non-ASCII), "bodyText" text, "bodyBase64" anything else."""
    if "body" in response:
        return json.dumps(response["body"], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if "bodyText" in response:
        return response["bodyText"].encode("utf-8")
    return base64.b64decode(response.get("bodyBase64", ""))


def _header(headers, name):
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


class TapeFile:
    """One tape file: its key, the answers in recorded order, and each answer's outcome (the Status of
    a GetCommandInvocation answer, or an error's __type)."""

    def __init__(self, path):
        self.path = path
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        self.key = doc["key"]
        self.action = self.key["action"]
        self.answers = [Answer(i["response"]["status"], _header(i["response"].get("headers", {}), "x-amzn-requestid"),
                               _body_bytes(i["response"])) for i in doc["interactions"]]

    def outcomes(self):
        out = []
        for answer in self.answers:
            body = json.loads(answer.body) if answer.body else {}
            out.append(body.get("__type", "").split("#")[-1] if answer.status >= 300 else body.get("Status"))
        return out

    def invocation_params(self):
        """boto3 keyword arguments of a GetCommandInvocation call on this tape."""
        params = {"CommandId": self.key["CommandId"], "InstanceId": self.key["InstanceId"]}
        if "PluginName" in self.key:
            params["PluginName"] = self.key["PluginName"]
        return params

    def __repr__(self):
        return f"TapeFile({os.path.basename(self.path)})"


def tape_files(folder, action=None):
    """Every tape file under `folder` (recursively, sorted by path), of `action` when given."""
    tapes = [TapeFile(p) for p in sorted(glob.glob(os.path.join(folder, "**", "*.json"), recursive=True))]
    return [t for t in tapes if action is None or t.action == action]
