"""Validation of tape files: the bundled fixtures, and tapes written by hand or exported by ssm-replay.
Each check names the member and the rule it breaks."""

import json
import os
import re

from .shapes import CONTENT_TYPE, STDERR_LIMIT, STDOUT_LIMIT, TAPE_FILE_VERSION
from .tape import Tape, canonical

INVOCATION_MEMBERS = [
    "CommandId", "InstanceId", "Comment", "DocumentName", "DocumentVersion", "PluginName", "ResponseCode",
    "ExecutionStartDateTime", "ExecutionElapsedTime", "ExecutionEndDateTime", "Status", "StatusDetails",
    "StandardOutputContent", "StandardOutputUrl", "StandardErrorContent", "StandardErrorUrl",
    "CloudWatchOutputConfig"]
INVOCATION_STATUSES = {"Pending", "InProgress", "Delayed", "Success", "Cancelled", "TimedOut", "Failed",
                       "Cancelling"}
TERMINAL = {"Success", "Cancelled", "TimedOut", "Failed"}
INVOCATION_ERRORS = {"InvocationDoesNotExist", "InvalidInstanceId", "InvalidPluginName", "InvalidCommandId",
                     "InternalServerError"}
# StatusDetails of a plugin that never ran: not delivered, cancelled by the system (MaxErrors), or skipped
# after an earlier step failed. AWS: "If the response code is -1, then the command hasn't started running
# on the managed node, or it wasn't received by the node."
NOT_RUN_DETAILS = {"Undeliverable", "DeliveryTimedOut", "Delivery Timed Out", "Terminated", "Skipped"}
ISO_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
DURATION_RE = re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d{1,3})?S)?$")


def _floats_round_trip(value):
    if isinstance(value, float):
        return float(repr(value)) == value
    if isinstance(value, dict):
        return all(_floats_round_trip(v) for v in value.values())
    if isinstance(value, list):
        return all(_floats_round_trip(v) for v in value)
    return True


def response_code_fits(body):
    """Whether a GetCommandInvocation answer's ResponseCode agrees with the rest of it. -1 means the plugin
    has no exit code: it has not finished (Pending, InProgress, Delayed, Cancelling) or never ran (never
    started, or StatusDetails in NOT_RUN_DETAILS, e.g. Undeliverable, or skipped after an earlier plugin
    failed). A plugin that ran to Success or Failed has its exit code. One cancelled or timed out while
    running may have either: the agent reports -1 when it killed the process before it exited."""
    code, status = body["ResponseCode"], body["Status"]
    if status not in TERMINAL:
        return code == -1
    if body["ExecutionStartDateTime"] == "" or body["StatusDetails"] in NOT_RUN_DETAILS:
        return code == -1
    if status in ("Success", "Failed"):
        return code != -1
    return True


class _Problems:
    """The problems found in one file, each prefixed with the file's name."""

    def __init__(self, rel):
        self.rel = rel
        self.found = []

    def check(self, cond, msg):
        if not cond:
            self.found.append("%s: %s" % (self.rel, msg))
        return cond


def validate_file(rel, text):
    """Problems with one tape file, as a list of messages (empty when it is fine)."""
    problems = _Problems(rel)
    try:
        doc = json.loads(text)
    except ValueError as e:
        return ["%s: not JSON: %s" % (rel, e)]
    check = problems.check
    check(text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "not in the canonical file layout")
    if not check(list(doc) == ["ssmReplayTape", "key", "interactions"], "top-level members/order"):
        return problems.found
    check(doc["ssmReplayTape"] == TAPE_FILE_VERSION, "version")
    key = doc["key"]
    _check_key(check, rel, key)
    check(len(doc["interactions"]) > 0, "no interactions")
    last = ""
    for n, it in enumerate(doc["interactions"]):
        last = _check_interaction(check, "interaction %d: " % n, key, it, last)
    return problems.found


def _check_key(check, rel, key):
    if key.get("action") == "GetCommandInvocation":
        check(list(key) in (["action", "CommandId", "InstanceId"], ["action", "CommandId", "InstanceId",
                                                                      "PluginName"]), "key members/order")
        check(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                       key.get("CommandId", "")), "CommandId is not a UUID")
        check(re.match(r"^i-[0-9a-f]{17}$", key.get("InstanceId", "")), "InstanceId is not i- + 17 hex")
    else:
        check(list(key) == ["action", "request"], "key members/order")
    expected = Tape(key, "").file_name()
    check(rel.replace(os.sep, "/") == expected, "file name should be " + expected)


def _check_interaction(check, where, key, it, last):
    """Checks one interaction; returns its recordedAt (they must increase)."""
    if not check(list(it) == ["recordedAt", "upstreamLatencyMicros", "source", "request", "response"],
                 where + "members/order"):
        return last
    check(ISO_RE.match(it["recordedAt"]) and it["recordedAt"] > last, where + "recordedAt")
    check(isinstance(it["upstreamLatencyMicros"], int) and 0 < it["upstreamLatencyMicros"] < 10 ** 7,
          where + "latency")
    invocation = key.get("action") == "GetCommandInvocation"
    req = it["request"]
    check(canonical(req) == json.dumps(req, separators=(",", ":"), ensure_ascii=False),
          where + "request keys are not sorted")
    if invocation:
        check(req == {k: v for k, v in key.items() if k != "action"}, where + "request does not match key")
    else:
        check(req == key["request"], where + "request does not match key")
    _check_response(check, where, key, it["response"])
    return it["recordedAt"]


def _check_response(check, where, key, resp):
    if not check(list(resp) == ["status", "headers", "body"], where + "response members/order"):
        return
    check(list(resp["headers"]) == ["Content-Type", "x-amzn-RequestId"] and
          resp["headers"]["Content-Type"] == CONTENT_TYPE, where + "headers")
    body = resp["body"]
    compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    check(json.dumps(json.loads(compact), separators=(",", ":"), ensure_ascii=False) == compact and
          _floats_round_trip(body), where + "body does not print back identically")
    invocation = key.get("action") == "GetCommandInvocation"
    if resp["status"] != 200:
        check(resp["status"] == 400 and list(body)[0] == "__type", where + "error shape")
        if invocation:
            check(body["__type"] in INVOCATION_ERRORS, where + "unknown error " + body["__type"])
    elif not invocation:
        check(key["action"] != "SendCommand" or "CommandId" in body.get("Command", {}),
              where + "SendCommand result without Command.CommandId")
    elif check(list(body) == INVOCATION_MEMBERS, where + "GetCommandInvocation members/order"):
        _check_invocation_body(check, where, key, body)


def _check_invocation_body(check, where, key, body):
    check(body["CommandId"] == key["CommandId"] and body["InstanceId"] == key["InstanceId"],
          where + "body ids differ from key")
    check("PluginName" not in key or body["PluginName"] == key["PluginName"], where + "PluginName")
    check(body["Status"] in INVOCATION_STATUSES, where + "Status")
    check(response_code_fits(body), where + "ResponseCode vs Status, StatusDetails and ExecutionStartDateTime")
    for m in ("ExecutionStartDateTime", "ExecutionEndDateTime"):
        check(body[m] == "" or ISO_RE.match(body[m]), where + m)
    check(body["ExecutionElapsedTime"] == "" or DURATION_RE.match(body["ExecutionElapsedTime"]),
          where + "ExecutionElapsedTime")
    check((body["ExecutionEndDateTime"] != "") == (body["Status"] in TERMINAL and
                                                   body["ExecutionStartDateTime"] != ""),
          where + "ExecutionEndDateTime")
    check(len(body["StandardOutputContent"]) <= STDOUT_LIMIT and
          len(body["StandardErrorContent"]) <= STDERR_LIMIT, where + "output longer than AWS returns")


def validate_dir(root):
    problems, total, count = [], 0, 0
    for dirpath, _, files in os.walk(root):
        for f in sorted(files):
            if not f.endswith(".json"):
                continue
            path = os.path.join(dirpath, f)
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            total += len(text.encode("utf-8"))
            count += 1
            problems += validate_file(os.path.relpath(path, root), text)
    return problems, count, total
