"""The scenarios of the bundled fixtures, one function each: the states and failures a test of Run
Command automation meets (success after eventual consistency, Failed, TimedOut, Cancelled, Delayed, a
two-plugin document, output cut at 24,000 characters, errors)."""

import datetime
import hashlib

from .shapes import (ACCOUNT, STDOUT_LIMIT, cloudwatch, command_id, error_body, instance_id, invocation_body, iso,
                     latency_us, ms, send_command_result)
from .tape import Poller, Tape, invocation_tape, sorted_obj

DAY = (2026, 10, 14)


def shell_command(name, comment, instance_name, **extra):
    cmd = {"id": command_id(name), "instance": instance_id(instance_name), "comment": comment,
           "document": "AWS-RunShellScript", "version": "", "plugin": "aws:runShellScript"}
    cmd.update(extra)
    return cmd

def polled_tape(cmd, name, first_ms, plugin_name=None):
    """A new invocation tape of `cmd` and its Poller, whose first poll is sent at `first_ms`."""
    t = invocation_tape(cmd, name, plugin_name)
    return t, Poller(t, first_ms)


def poll_state(poller, cmd, status, details=None, *args, **kwargs):
    """One poll answered with `cmd`'s invocation in `status` (StatusDetails `details`, else the same)."""
    poller.poll(lambda now: invocation_body(cmd, now, status, details or status, *args, **kwargs))


WEB = shell_command("restart-nginx", "Restart nginx and check health", "web-01")
DB = shell_command("migrate-db", "Apply schema migrations", "app-02")


def restart_nginx():
    """SendCommand, then the waiter: InvocationDoesNotExist right after SendCommand (eventual consistency),
    Pending, InProgress twice, Success."""
    tapes = []
    web = WEB
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
    requested = ms(*DAY, 9, 12, 3, 415)
    send.add(requested + latency_us("send-restart-nginx/send") // 2000, send_req, 200,
             send_command_result(send_req, web, requested), "send")
    tapes.append(send)

    t, p = polled_tape(web, "restart-nginx", ms(*DAY, 9, 12, 3, 512))
    p.poll(lambda now: error_body("InvocationDoesNotExist"), status=400)
    poll_state(p, web, "Pending")
    start = p.upcoming() - 2344
    poll_state(p, web, "InProgress", start_ms=start)
    poll_state(p, web, "InProgress", start_ms=start)
    end = start + 8412
    poll_state(p, web, "Success", "Success", 0, start, end, stdout="active\nok\n")
    tapes.append(t)
    return tapes


def migrate_db_failed():
    """Failed, exit status 1, with stderr."""
    db = DB
    t, p = polled_tape(db, "migrate-db", ms(*DAY, 9, 25, 41, 127))
    start = p.upcoming() - 891
    poll_state(p, db, "InProgress", start_ms=start)
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
    poll_state(p, db, "Failed", "Failed", 1, start, end, stdout, stderr)
    return [t]


def reindex_timed_out():
    """TimedOut: the script outlives its executionTimeout (10 s); the agent kills it (exit 137 on Linux) and
    reports ExecutionTimedOut."""
    reindex = shell_command("reindex", "Rebuild search index", "search-01")
    t, p = polled_tape(reindex, "reindex", ms(*DAY, 10, 3, 17, 602))
    start = p.upcoming() - 1658
    poll_state(p, reindex, "InProgress", start_ms=start)
    poll_state(p, reindex, "InProgress", start_ms=start)
    end = start + 10000 + 37
    stdout = ("reindex: 1840213 documents in 'products'\n"
              "reindex: batch 1/37 done (50000 docs, 4.1s)\n"
              "reindex: batch 2/37 done (50000 docs, 4.3s)\n")
    poll_state(p, reindex, "TimedOut", "ExecutionTimedOut", 137, start, end,
               stdout)
    return [t]


def drain_queue_cancelled():
    """Cancelled by CancelCommand while running: Cancelling, then Cancelled (process killed, 137)."""
    drain = shell_command("drain-queue", "Drain work queue before maintenance", "worker-03")
    t, p = polled_tape(drain, "drain-queue", ms(*DAY, 10, 31, 8, 205))
    start = p.upcoming() - 2128
    poll_state(p, drain, "InProgress", start_ms=start)
    poll_state(p, drain, "Cancelling", start_ms=start)
    end = p.upcoming() - 1377
    stdout = "draining queue jobs-default: 412 messages left\ndraining queue jobs-default: 377 messages left\n"
    poll_state(p, drain, "Cancelled", "Cancelled", 137, start, end, stdout)
    return [t]


def flush_cache_delayed():
    """Delayed: the node is unreachable (rebooting) when the command is sent; delivered later."""
    cache = shell_command("flush-cache", "Flush application cache", "cache-01")
    t, p = polled_tape(cache, "flush-cache", ms(*DAY, 11, 2, 45, 310))
    poll_state(p, cache, "Pending")
    poll_state(p, cache, "Delayed")
    poll_state(p, cache, "Delayed")
    start = p.upcoming() - 311
    end = start + 4453
    poll_state(p, cache, "InProgress", start_ms=start)
    poll_state(p, cache, "Success", "Success", 0, start, end,
               stdout="OK\nflushed 18231 keys from redis://127.0.0.1:6379/0\n")
    return [t]


def patch_scan_per_plugin():
    """A document with two steps, queried per PluginName: AWS-RunPatchBaseline on Linux runs PatchLinux and
    skips PatchWindows by precondition."""
    tapes = []
    patch = {"id": command_id("patch-scan"), "instance": instance_id("app-01"),
             "comment": "Weekly patch compliance scan", "document": "AWS-RunPatchBaseline", "version": "1",
             "plugin": "PatchLinux"}
    t, p = polled_tape(patch, "patch-scan-windows", ms(*DAY, 12, 0, 38, 451), plugin_name="PatchWindows")
    skipped = p.upcoming() - 4745
    p.poll(lambda now: invocation_body(
        patch, now, "Success", "Success", 0, skipped, skipped, plugin="PatchWindows",
        stdout="Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": "
               "[platformType, Windows]'. Step name: PatchWindows"))
    tapes.append(t)

    t, p = polled_tape(patch, "patch-scan-linux", ms(*DAY, 12, 0, 38, 902), plugin_name="PatchLinux")
    start = p.upcoming() - 5191
    poll_state(p, patch, "InProgress", start_ms=start,
               plugin="PatchLinux")
    poll_state(p, patch, "InProgress", start_ms=start,
               plugin="PatchLinux")
    poll_state(p, patch, "InProgress", start_ms=start,
               plugin="PatchLinux")
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
    poll_state(p, patch, "Success", "Success", 0, start, end, stdout,
               plugin="PatchLinux")
    tapes.append(t)
    return tapes


def worker_log_cut_at_24000():
    """Output past 24,000 characters: StandardOutputContent is cut at exactly 24,000 characters and the full
    text is in S3 (the command named an OutputS3BucketName); output also goes to CloudWatch."""
    logs = shell_command("dump-worker-log", "Dump worker log for incident INC-2291", "worker-01",
                         s3_bucket="acme-ssm-output-eu-west-1", s3_prefix="run-command",
                         cloudwatch=cloudwatch("/aws/ssm/AWS-RunShellScript", True))
    t, p = polled_tape(logs, "dump-worker-log", ms(*DAY, 13, 40, 2, 176))
    start = p.upcoming() - 1663
    poll_state(p, logs, "InProgress", start_ms=start)
    end = start + 3289
    full = worker_log(logs["instance"])
    assert len(full) > STDOUT_LIMIT
    poll_state(p, logs, "Success", "Success", 0, start, end,
               stdout=full[:STDOUT_LIMIT])
    return [t]


def invocation_errors():
    """Errors: an instance the command was not sent to / not valid for the account, and a plugin name the
    document does not have."""
    tapes = []
    gone = dict(WEB, instance=instance_id("web-01-terminated"))
    t, p = polled_tape(gone, "invalid-instance", ms(*DAY, 9, 30, 11, 804))
    p.poll(lambda now: error_body(
        "InvalidInstanceId",
        "Instances [[%s]] not in a valid state for account %s" % (gone["instance"], ACCOUNT)), status=400)
    tapes.append(t)

    t, p = polled_tape(DB, "invalid-plugin", ms(*DAY, 9, 26, 2, 377), plugin_name="aws:runPowerShellScript")
    p.poll(lambda now: error_body("InvalidPluginName"), status=400)
    tapes.append(t)
    return tapes
    return tapes


def build_tapes():
    """Every fixture tape, in a fixed order."""
    scenarios = [restart_nginx, migrate_db_failed, reindex_timed_out, drain_queue_cancelled, flush_cache_delayed,
                 patch_scan_per_plugin, worker_log_cut_at_24000, invocation_errors]
    return [tape for scenario in scenarios for tape in scenario()]


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
