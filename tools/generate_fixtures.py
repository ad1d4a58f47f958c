#!/usr/bin/env python3
"""Writes the bundled fixture tapes in fixtures/ (the tape-file format of store/tape_file/tape_file.h).

The tapes follow the documented AWS shapes (botocore's ssm service model, the GetCommandInvocation and
SendCommand API references, AWS CLI examples); they are not recordings of a real account. Everything is
derived from fixed seeds, so running this twice writes identical files.

    python3 tools/generate_fixtures.py            # writes into fixtures/ next to tools/
    python3 tools/generate_fixtures.py --out DIR  # writes somewhere else
    python3 tools/generate_fixtures.py --check    # exits 1 when fixtures/ differs from what it would write
    python3 tools/generate_fixtures.py --validate DIR  # checks tape files (layout, keys, AWS shapes)

Stdlib only.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import sys
import uuid

TAPE_FILE_VERSION = 1
SOURCE = "fixture"
REGION = "eu-west-1"
ACCOUNT = "123456789012"  # the account id AWS documentation uses in examples
CONTENT_TYPE = "application/x-amz-json-1.1"
WAITER_DELAY_MS = 5000  # botocore's CommandExecuted waiter polls every 5 s
STDOUT_LIMIT = 24000  # GetCommandInvocation returns the first 24,000 characters of stdout
STDERR_LIMIT = 8000  # ... and the first 8,000 of stderr

# Fixed namespace so that ids are stable across runs; the names below pick the individual ids.
_NAMESPACE = uuid.UUID("5f0c6a52-8f7e-4b7e-9a53-2c1d7e0b9a41")


# ----------------------------------------------------------------------------------------------------------
# Deterministic ids, times and latencies


def _uuid4_like(name):
    """A version-4-shaped UUID (as AWS hands out) derived from `name`, so it is stable across runs."""
    digest = hashlib.sha256(_NAMESPACE.bytes + name.encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def command_id(name):
    return _uuid4_like("command/" + name)


def request_id(name):
    return _uuid4_like("request/" + name)


def instance_id(name):
    return "i-0" + hashlib.sha256(("instance/" + name).encode()).hexdigest()[:16]


def latency_us(name):
    """A realistic upstream latency, 20-80 ms, fixed per interaction name."""
    h = int(hashlib.sha256(("latency/" + name).encode()).hexdigest()[:8], 16)
    return 20000 + h % 60000


def ms(y, mo, d, h, mi, s, milli):
    dt = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.timezone.utc)
    return int(dt.timestamp()) * 1000 + milli


def iso(t_ms):
    """ISO 8601 UTC with milliseconds, as GetCommandInvocation and the tape files write times."""
    dt = datetime.datetime.fromtimestamp(t_ms // 1000, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (t_ms % 1000)


def epoch_seconds(t_ms):
    """Epoch seconds as the JSON protocol sends timestamps (e.g. Command.RequestedDateTime)."""
    value = t_ms / 1000.0
    # The C++ side re-prints this with a shortest round-trip double printer: make sure that gives
    # back exactly these characters.
    assert float(repr(value)) == value and repr(value) == "%d.%s" % (
        t_ms // 1000, ("%03d" % (t_ms % 1000)).rstrip("0") or "0"), value
    return value


def duration(delta_ms):
    """ISO 8601 duration the way AWS (java.time.Duration.toString) writes it: PT0.412S, PT1M5.2S, PT0S."""
    assert delta_ms >= 0
    hours, rest = divmod(delta_ms, 3600 * 1000)
    minutes, rest = divmod(rest, 60 * 1000)
    secs, milli = divmod(rest, 1000)
    out = "PT"
    if hours:
        out += "%dH" % hours
    if minutes:
        out += "%dM" % minutes
    if secs == 0 and milli == 0 and len(out) > 2:
        return out
    out += "%d" % secs
    if milli:
        out += "." + ("%03d" % milli).rstrip("0")
    return out + "S"


# ----------------------------------------------------------------------------------------------------------
# Wire bodies, members in the order of botocore's ssm service model


def cloudwatch(group="", enabled=False):
    return {"CloudWatchLogGroupName": group, "CloudWatchOutputEnabled": enabled}


def invocation_body(cmd, now_ms, status, details, response_code=-1, start_ms=None, end_ms=None,
                    stdout="", stderr="", plugin=None):
    """A GetCommandInvocation result. `cmd` describes the command; `now_ms` is the server's time,
    from which a running plugin's ExecutionElapsedTime is measured."""
    plugin = plugin or cmd["plugin"]
    if start_ms is None:
        start, elapsed, end = "", "", ""
    elif end_ms is None:
        start, elapsed, end = iso(start_ms), duration(now_ms - start_ms), ""
    else:
        start, elapsed, end = iso(start_ms), duration(end_ms - start_ms), iso(end_ms)
    assert len(stdout) <= STDOUT_LIMIT and len(stderr) <= STDERR_LIMIT
    # Consistent times: nothing starts or ends after the service answered.
    assert start_ms is None or start_ms <= now_ms, (cmd["id"], status)
    assert end_ms is None or start_ms <= end_ms <= now_ms, (cmd["id"], status)
    finished = end_ms is not None
    return {
        "CommandId": cmd["id"],
        "InstanceId": cmd["instance"],
        "Comment": cmd["comment"],
        "DocumentName": cmd["document"],
        "DocumentVersion": cmd["version"],
        "PluginName": plugin,
        "ResponseCode": response_code,
        "ExecutionStartDateTime": start,
        "ExecutionElapsedTime": elapsed,
        "ExecutionEndDateTime": end,
        "Status": status,
        "StatusDetails": details,
        "StandardOutputContent": stdout,
        "StandardOutputUrl": s3_output_url(cmd, plugin, "stdout") if finished else "",
        "StandardErrorContent": stderr,
        "StandardErrorUrl": s3_output_url(cmd, plugin, "stderr") if finished else "",
        "CloudWatchOutputConfig": cmd.get("cloudwatch", cloudwatch()),
    }


def s3_output_url(cmd, plugin, stream):
    """Where Run Command uploads full output when the command names an OutputS3BucketName:
    <prefix>/<CommandId>/<InstanceId>/<plugin without ':'>/<step index>.<plugin without ':'>/stdout.
    Empty when no bucket was given."""
    bucket = cmd.get("s3_bucket")
    if not bucket:
        return ""
    step = re.sub(r"[^A-Za-z0-9]", "", plugin)
    parts = [cmd["s3_prefix"], cmd["id"], cmd["instance"], step, "0." + step, stream]
    return "https://s3.%s.amazonaws.com/%s/%s" % (REGION, bucket, "/".join(p for p in parts if p))


def error_body(error_type, message=None):
    """AWS JSON 1.1 error: the type in "__type"; a Message only for errors whose shape has one."""
    body = {"__type": error_type}
    if message is not None:
        body["Message"] = message
    return body


def send_command_result(req, cmd, requested_ms):
    timeout = req.get("TimeoutSeconds", 3600)
    exec_timeout = int(req.get("Parameters", {}).get("executionTimeout", ["3600"])[0])
    return {"Command": {
        "CommandId": cmd["id"],
        "DocumentName": req["DocumentName"],
        "DocumentVersion": cmd["version"],
        "Comment": req.get("Comment", ""),
        # Delivery timeout plus execution timeout: after this, undelivered invocations are
        # DeliveryTimedOut.
        "ExpiresAfter": epoch_seconds(requested_ms + (timeout + exec_timeout) * 1000),
        "Parameters": req.get("Parameters", {}),
        "InstanceIds": req.get("InstanceIds", []),
        "Targets": req.get("Targets", []),
        "RequestedDateTime": epoch_seconds(requested_ms),
        "Status": "Pending",
        "StatusDetails": "Pending",
        "OutputS3Region": req.get("OutputS3Region", REGION),
        "OutputS3BucketName": req.get("OutputS3BucketName", ""),
        "OutputS3KeyPrefix": req.get("OutputS3KeyPrefix", ""),
        "MaxConcurrency": req.get("MaxConcurrency", "50"),
        "MaxErrors": req.get("MaxErrors", "0"),
        "TargetCount": len(req.get("InstanceIds", [])),
        "CompletedCount": 0,
        "ErrorCount": 0,
        "DeliveryTimedOutCount": 0,
        "ServiceRole": req.get("ServiceRoleArn", ""),
        "NotificationConfig": {"NotificationArn": "", "NotificationEvents": [], "NotificationType": ""},
        "CloudWatchOutputConfig": cmd.get("cloudwatch", cloudwatch()),
        "TimeoutSeconds": timeout,
        # AlarmConfiguration and TriggeredAlarms are only sent for commands with an alarm configured.
    }}


# ----------------------------------------------------------------------------------------------------------
# Tapes


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


def shell_command(name, comment, instance_name, **extra):
    cmd = {"id": command_id(name), "instance": instance_id(instance_name), "comment": comment,
           "document": "AWS-RunShellScript", "version": "", "plugin": "aws:runShellScript"}
    cmd.update(extra)
    return cmd


def build_tapes():
    tapes = []
    day = (2026, 10, 14)

    # (i) + (a) SendCommand, then the waiter: InvocationDoesNotExist right after SendCommand (eventual
    # consistency), Pending, InProgress twice, Success.
    web = shell_command("restart-nginx", "Restart nginx and check health", "web-01")
    send_req = {
        "DocumentName": "AWS-RunShellScript",
        "InstanceIds": [web["instance"]],
        "Parameters": {"commands": [
            "set -eu",
            "systemctl restart nginx",
            "sleep 5",
            "systemctl is-active nginx",
            "curl -fsS http://127.0.0.1/healthz",
        ]},
        "TimeoutSeconds": 600,
        "Comment": web["comment"],
    }
    send = Tape({"action": "SendCommand", "request": sorted_obj(send_req)}, "send-restart-nginx")
    requested = ms(*day, 9, 12, 3, 415)
    send.add(requested + latency_us("send-restart-nginx/send") // 2000, send_req, 200,
             send_command_result(send_req, web, requested), "send")
    tapes.append(send)

    t = invocation_tape(web, "restart-nginx")
    p = Poller(t, ms(*day, 9, 12, 3, 512))
    p.poll(lambda now: error_body("InvocationDoesNotExist"), status=400)
    p.poll(lambda now: invocation_body(web, now, "Pending", "Pending"))
    start = p.upcoming() - 2344
    p.poll(lambda now: invocation_body(web, now, "InProgress", "InProgress", start_ms=start))
    p.poll(lambda now: invocation_body(web, now, "InProgress", "InProgress", start_ms=start))
    end = start + 8412
    p.poll(lambda now: invocation_body(web, now, "Success", "Success", 0, start, end, stdout="active\nok\n"))
    tapes.append(t)

    # (b) Failed, exit status 1, with stderr.
    db = shell_command("migrate-db", "Apply schema migrations", "app-02")
    t = invocation_tape(db, "migrate-db")
    p = Poller(t, ms(*day, 9, 25, 41, 127))
    start = p.upcoming() - 891
    p.poll(lambda now: invocation_body(db, now, "InProgress", "InProgress", start_ms=start))
    end = start + 3682
    stdout = ("Running migrations for database 'orders' (postgres://db-01.internal:5432)\n"
              "  0041_add_invoice_currency ... already applied\n"
              "  0042_backfill_invoice_currency ... applying\n")
    stderr = ("psql:/opt/app/migrations/0042_backfill_invoice_currency.sql:17: ERROR:  column "
              "\"currency_code\" of relation \"invoices\" does not exist\n"
              "LINE 3:    SET currency_code = 'EUR'\n"
              "               ^\n"
              "migration 0042_backfill_invoice_currency failed, rolled back\n"
              "failed to run commands: exit status 1")
    p.poll(lambda now: invocation_body(db, now, "Failed", "Failed", 1, start, end, stdout, stderr))
    tapes.append(t)

    # (c) TimedOut: the script outlives its executionTimeout (10 s); the agent kills it (exit 137 on Linux)
    # and reports ExecutionTimedOut.
    reindex = shell_command("reindex", "Rebuild search index", "search-01")
    t = invocation_tape(reindex, "reindex")
    p = Poller(t, ms(*day, 10, 3, 17, 602))
    start = p.upcoming() - 1658
    p.poll(lambda now: invocation_body(reindex, now, "InProgress", "InProgress", start_ms=start))
    p.poll(lambda now: invocation_body(reindex, now, "InProgress", "InProgress", start_ms=start))
    end = start + 10000 + 37
    stdout = ("reindex: 1840213 documents in 'products'\n"
              "reindex: batch 1/37 done (50000 docs, 4.1s)\n"
              "reindex: batch 2/37 done (50000 docs, 4.3s)\n")
    p.poll(lambda now: invocation_body(reindex, now, "TimedOut", "ExecutionTimedOut", 137, start, end,
                                       stdout))
    tapes.append(t)

    # (d) Cancelled by CancelCommand while running: Cancelling, then Cancelled (process killed, 137).
    drain = shell_command("drain-queue", "Drain work queue before maintenance", "worker-03")
    t = invocation_tape(drain, "drain-queue")
    p = Poller(t, ms(*day, 10, 31, 8, 205))
    start = p.upcoming() - 2128
    p.poll(lambda now: invocation_body(drain, now, "InProgress", "InProgress", start_ms=start))
    p.poll(lambda now: invocation_body(drain, now, "Cancelling", "Cancelling", start_ms=start))
    end = p.upcoming() - 1377
    stdout = "draining queue jobs-default: 412 messages left\ndraining queue jobs-default: 377 messages left\n"
    p.poll(lambda now: invocation_body(drain, now, "Cancelled", "Cancelled", 137, start, end, stdout))
    tapes.append(t)

    # (e) Delayed: the node is unreachable (rebooting) when the command is sent; delivered later.
    cache = shell_command("flush-cache", "Flush application cache", "cache-01")
    t = invocation_tape(cache, "flush-cache")
    p = Poller(t, ms(*day, 11, 2, 45, 310))
    p.poll(lambda now: invocation_body(cache, now, "Pending", "Pending"))
    p.poll(lambda now: invocation_body(cache, now, "Delayed", "Delayed"))
    p.poll(lambda now: invocation_body(cache, now, "Delayed", "Delayed"))
    start = p.upcoming() - 311
    end = start + 4453
    p.poll(lambda now: invocation_body(cache, now, "InProgress", "InProgress", start_ms=start))
    p.poll(lambda now: invocation_body(cache, now, "Success", "Success", 0, start, end,
                                       stdout="OK\nflushed 18231 keys from redis://127.0.0.1:6379/0\n"))
    tapes.append(t)

    # (f) A document with two steps, queried per PluginName: AWS-RunPatchBaseline on Linux runs
    # PatchLinux and skips PatchWindows by precondition.
    patch = {"id": command_id("patch-scan"), "instance": instance_id("app-01"),
             "comment": "Weekly patch compliance scan", "document": "AWS-RunPatchBaseline", "version": "1",
             "plugin": "PatchLinux"}
    t = invocation_tape(patch, "patch-scan-windows", plugin_name="PatchWindows")
    p = Poller(t, ms(*day, 12, 0, 38, 451))
    skipped = p.upcoming() - 4745
    p.poll(lambda now: invocation_body(
        patch, now, "Success", "Success", 0, skipped, skipped, plugin="PatchWindows",
        stdout="Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": "
               "[platformType, Windows]'. Step name: PatchWindows"))
    tapes.append(t)

    t = invocation_tape(patch, "patch-scan-linux", plugin_name="PatchLinux")
    p = Poller(t, ms(*day, 12, 0, 38, 902))
    start = p.upcoming() - 5191
    p.poll(lambda now: invocation_body(patch, now, "InProgress", "InProgress", start_ms=start,
                                       plugin="PatchLinux"))
    p.poll(lambda now: invocation_body(patch, now, "InProgress", "InProgress", start_ms=start,
                                       plugin="PatchLinux"))
    p.poll(lambda now: invocation_body(patch, now, "InProgress", "InProgress", start_ms=start,
                                       plugin="PatchLinux"))
    end = start + 17653
    stdout = "\n".join([
        "/usr/bin/python3",
        "/usr/bin/dnf",
        "Using python binary: 'python3'",
        "Using Python Version: Python 3.9.16",
        "14 Oct 2026 12:00:35 root [INFO]: Downloading payload from "
        "https://s3.dualstack.eu-west-1.amazonaws.com/aws-ssm-eu-west-1/patchbaselineoperations/linux/"
        "payloads/patch-baseline-operations-1.155.tar.gz",
        "14 Oct 2026 12:00:37 root [INFO]: Attempting to import entrance file os_selector",
        "14 Oct 2026 12:00:37 root [INFO]: Running with snapshot id = and operation = Scan",
        "14 Oct 2026 12:00:38 root [INFO]: Instance Id: " + patch["instance"],
        "14 Oct 2026 12:00:38 root [INFO]: Region: eu-west-1",
        "14 Oct 2026 12:00:38 root [INFO]: Product: AmazonLinux2023",
        "14 Oct 2026 12:00:38 root [INFO]: Patch Group: ",
        "14 Oct 2026 12:00:38 root [INFO]: Operation type: Scan",
        "14 Oct 2026 12:00:38 root [INFO]: Snapshot Id: ",
        "14 Oct 2026 12:00:38 root [INFO]: Baseline Id: pb-0c10e65780a91f4d2",
        "14 Oct 2026 12:00:49 root [INFO]: Installed count: 512, Installed other count: 3, "
        "Missing count: 4, Failed count: 0, Not applicable count: 1027",
        "14 Oct 2026 12:00:50 root [INFO]: Report upload successful.",
        "14 Oct 2026 12:00:51 root [INFO]: Patch baseline operation Scan completed.",
        "",
    ])
    p.poll(lambda now: invocation_body(patch, now, "Success", "Success", 0, start, end, stdout,
                                       plugin="PatchLinux"))
    tapes.append(t)

    # (g) Output past 24,000 characters: StandardOutputContent is cut at exactly 24,000 characters and
    # the full text is in S3 (the command named an OutputS3BucketName); output also goes to CloudWatch.
    logs = shell_command("dump-worker-log", "Dump worker log for incident INC-2291", "worker-01",
                         s3_bucket="acme-ssm-output-eu-west-1", s3_prefix="run-command",
                         cloudwatch=cloudwatch("/aws/ssm/AWS-RunShellScript", True))
    t = invocation_tape(logs, "dump-worker-log")
    p = Poller(t, ms(*day, 13, 40, 2, 176))
    start = p.upcoming() - 1663
    p.poll(lambda now: invocation_body(logs, now, "InProgress", "InProgress", start_ms=start))
    end = start + 3289
    full = worker_log(logs["instance"])
    assert len(full) > STDOUT_LIMIT
    p.poll(lambda now: invocation_body(logs, now, "Success", "Success", 0, start, end,
                                       stdout=full[:STDOUT_LIMIT]))
    tapes.append(t)

    # (h) Errors: an instance the command was not sent to / not valid for the account, and a plugin name
    # the document does not have.
    gone = dict(web, instance=instance_id("web-01-terminated"))
    t = invocation_tape(gone, "invalid-instance")
    p = Poller(t, ms(*day, 9, 30, 11, 804))
    p.poll(lambda now: error_body(
        "InvalidInstanceId",
        "Instances [[%s]] not in a valid state for account %s" % (gone["instance"], ACCOUNT)), status=400)
    tapes.append(t)

    t = invocation_tape(db, "invalid-plugin", plugin_name="aws:runPowerShellScript")
    p = Poller(t, ms(*day, 9, 26, 2, 377))
    p.poll(lambda now: error_body("InvalidPluginName"), status=400)
    tapes.append(t)
    return tapes


def worker_log(instance):
    """Realistic, deterministic worker log lines, well over 24,000 characters."""
    lines = []
    t = ms(2026, 10, 14, 12, 41, 0, 0)
    jobs = ["send-invoice", "resize-image", "sync-crm", "reindex-product", "expire-sessions"]
    host = "ip-10-0-3-27"
    for i in range(400):
        seed = int(hashlib.sha256(("log/%d" % i).encode()).hexdigest()[:8], 16)
        t += 150 + seed % 900
        dt = datetime.datetime.fromtimestamp(t // 1000, tz=datetime.timezone.utc)
        job = jobs[seed % len(jobs)]
        took = 20 + seed % 700
        level = "WARN" if seed % 23 == 0 else "INFO"
        msg = ("job=%s id=%08x attempt=%d took=%dms" % (job, seed, 1 + seed % 3, took) if level == "INFO"
               else "job=%s id=%08x retrying: upstream 503 from crm.internal" % (job, seed))
        lines.append("%s %s app-worker[2217]: %s %-4s %s" % (dt.strftime("%b %d %H:%M:%S"), host, iso(t),
                                                          level, msg))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------
# Validation of a fixtures directory (also of tapes written by hand or exported by ssm-replay)

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


def validate_file(rel, text):
    """Problems with one tape file, as a list of messages (empty when it is fine)."""
    errors = []

    def check(cond, msg):
        if not cond:
            errors.append("%s: %s" % (rel, msg))
        return cond

    try:
        doc = json.loads(text)
    except ValueError as e:
        return ["%s: not JSON: %s" % (rel, e)]
    check(text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "not in the canonical file layout")
    if not check(list(doc) == ["ssmReplayTape", "key", "interactions"], "top-level members/order"):
        return errors
    check(doc["ssmReplayTape"] == TAPE_FILE_VERSION, "version")
    key = doc["key"]
    invocation = key.get("action") == "GetCommandInvocation"
    if invocation:
        check(list(key) in (["action", "CommandId", "InstanceId"], ["action", "CommandId", "InstanceId",
                                                                      "PluginName"]), "key members/order")
        check(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                       key.get("CommandId", "")), "CommandId is not a UUID")
        check(re.match(r"^i-[0-9a-f]{17}$", key.get("InstanceId", "")), "InstanceId is not i- + 17 hex")
    else:
        check(list(key) == ["action", "request"], "key members/order")
    tape = Tape(key, "")
    check(rel.replace(os.sep, "/") == tape.file_name(), "file name should be " + tape.file_name())
    check(len(doc["interactions"]) > 0, "no interactions")
    last = ""
    for n, it in enumerate(doc["interactions"]):
        where = "interaction %d: " % n
        if not check(list(it) == ["recordedAt", "upstreamLatencyMicros", "source", "request", "response"],
                     where + "members/order"):
            continue
        check(ISO_RE.match(it["recordedAt"]) and it["recordedAt"] > last, where + "recordedAt")
        last = it["recordedAt"]
        check(isinstance(it["upstreamLatencyMicros"], int) and 0 < it["upstreamLatencyMicros"] < 10 ** 7,
              where + "latency")
        req = it["request"]
        check(canonical(req) == json.dumps(req, separators=(",", ":"), ensure_ascii=False),
              where + "request keys are not sorted")
        if invocation:
            check(req == {k: v for k, v in key.items() if k != "action"}, where + "request does not match key")
        else:
            check(req == key["request"], where + "request does not match key")
        resp = it["response"]
        if not check(list(resp) == ["status", "headers", "body"], where + "response members/order"):
            continue
        check(list(resp["headers"]) == ["Content-Type", "x-amzn-RequestId"] and
              resp["headers"]["Content-Type"] == CONTENT_TYPE, where + "headers")
        body = resp["body"]
        compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        check(json.dumps(json.loads(compact), separators=(",", ":"), ensure_ascii=False) == compact and
              _floats_round_trip(body), where + "body does not print back identically")
        if resp["status"] != 200:
            check(resp["status"] == 400 and list(body)[0] == "__type", where + "error shape")
            if invocation:
                check(body["__type"] in INVOCATION_ERRORS, where + "unknown error " + body["__type"])
            continue
        if not invocation:
            check(key["action"] != "SendCommand" or "CommandId" in body.get("Command", {}),
                  where + "SendCommand result without Command.CommandId")
            continue
        if not check(list(body) == INVOCATION_MEMBERS, where + "GetCommandInvocation members/order"):
            continue
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
    return errors


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


# ----------------------------------------------------------------------------------------------------------


def render(tape):
    return json.dumps(tape.document(), indent=2, ensure_ascii=False) + "\n"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "fixtures"), help="fixtures directory")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("--validate", metavar="DIR", help="only validate the tape files under DIR")
    args = parser.parse_args()

    if args.validate:
        problems, count, total = validate_dir(args.validate)
        for p in problems:
            print(p, file=sys.stderr)
        print("%d tape files, %d bytes, %d problems" % (count, total, len(problems)))
        return 1 if problems or not count else 0

    tapes = build_tapes()
    names = [t.file_name() for t in tapes]
    assert len(set(names)) == len(names), "two tapes map to one file"
    stale = []
    for tape, name in zip(tapes, names):
        path = os.path.join(args.out, name)
        text = render(tape)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(name)
            except FileNotFoundError:
                stale.append(name)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    if args.check:
        for name in stale:
            print("differs: " + name, file=sys.stderr)
        return 1 if stale else 0
    for name in names:
        print(name)
    problems, count, total = validate_dir(args.out)
    for p in problems:
        print(p, file=sys.stderr)
    print("%d tape files, %d bytes" % (count, total))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
