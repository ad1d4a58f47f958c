"""AWS shapes of the bundled fixtures: stable ids, times as AWS writes them, and the wire bodies of
GetCommandInvocation, SendCommand and errors, members in the order of botocore's ssm service model."""

import datetime
import hashlib
import re
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
