"""Tapes as the tape-file format writes them (store/tape_file/tape_file.h): a key and its interactions,
and a Poller that records one invocation polled as botocore's waiter polls it."""

import hashlib
import json
import re

from .shapes import CONTENT_TYPE, SOURCE, TAPE_FILE_VERSION, WAITER_DELAY_MS, iso, latency_us, request_id

def sorted_obj(value):
    """`value` with object keys sorted at every level: the canonical request form."""
    return json.loads(json.dumps(value, sort_keys=True))


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Tape:
    def __init__(self, key, name):
        self.key = key
        self.name = name
        self.interactions = []

    def add(self, recorded_ms, request, status, body, label):
        self.interactions.append({
            "recordedAt": iso(recorded_ms),
            "upstreamLatencyMicros": latency_us(self.name + "/" + label),
            "source": SOURCE,
            "request": sorted_obj(request),
            "response": {
                "status": status,
                "headers": {"Content-Type": CONTENT_TYPE,
                            "x-amzn-RequestId": request_id(self.name + "/" + label)},
                "body": body,
            },
        })

    def document(self):
        return {"ssmReplayTape": TAPE_FILE_VERSION, "key": self.key, "interactions": self.interactions}

    def file_name(self):
        if self.key["action"] == "GetCommandInvocation":
            name = "%s_%s" % (self.key["CommandId"], self.key["InstanceId"])
            if "PluginName" in self.key:
                name += "_" + re.sub(r"[^A-Za-z0-9._-]", "_", self.key["PluginName"])
            return "get-command-invocation/%s.json" % name
        digest = hashlib.sha256(canonical(self.key["request"]).encode("utf-8")).hexdigest()
        return "send-command/%s.json" % digest[:16]


def invocation_tape(cmd, name, plugin_name=None):
    key = {"action": "GetCommandInvocation", "CommandId": cmd["id"], "InstanceId": cmd["instance"]}
    if plugin_name is not None:
        key["PluginName"] = plugin_name
    return Tape(key, name)


def invocation_request(tape):
    return {k: v for k, v in tape.key.items() if k != "action"}


class Poller:
    """Polls one invocation like botocore's waiter: each request WAITER_DELAY_MS after the last answer."""

    def __init__(self, tape, first_ms):
        self.tape = tape
        self.next_ms = first_ms
        self.count = 0

    def upcoming(self):
        """When the next poll is sent."""
        return self.next_ms

    def poll(self, make_body, status=200):
        label = "poll%d" % self.count
        lat_ms = latency_us(self.tape.name + "/" + label) // 1000
        recorded = self.next_ms + lat_ms
        server_now = self.next_ms + lat_ms // 2  # when the service built the answer
        self.tape.add(recorded, invocation_request(self.tape), status, make_body(server_now), label)
        self.count += 1
        self.next_ms = recorded + WAITER_DELAY_MS
        return server_now


def render(tape):
    """The tape file's text: two-space indentation, members in order, a final newline."""
    return json.dumps(tape.document(), indent=2, ensure_ascii=False) + "\n"
