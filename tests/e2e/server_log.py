"""Reading the server's stderr: one JSON object per line, with "time" and "level" inside; access-log
lines are those with an "outcome" (proxy/http/json_log.h)."""
import json


def complete_lines(log):
    """The lines of `log` that are complete: a log read while the server writes may end mid-line."""
    return [line for line in log.split("\n")[:-1] if line.strip()]


def log_objects(log):
    """Every complete stderr line of `log` as a JSON object; raises ValueError on one that is not."""
    return [json.loads(line) for line in complete_lines(log)]


def access_entries(log):
    """The access-log entries (objects with an "outcome") in the server's stderr `log`."""
    return [obj for obj in log_objects(log) if "outcome" in obj]


def log_lines_at(log, level):
    """The lines of `log` whose "level" is `level` (e.g. "warn"; a prefix matches "warning" too)."""
    return [line for line in complete_lines(log)
            if str(json.loads(line).get("level", "")).lower().startswith(level.lower())]
