"""Reading the server's stderr without depending on its line layout: each line may be one JSON object
(time, level and message inside) or "TIME LEVEL message" text, an access-log line then ending in its
JSON entry."""
import json


def _json_object_in(line):
    """The line as a JSON object, or the JSON object it ends with (a "TIME LEVEL access {...}" line);
    None when it holds neither."""
    for start in (0, line.find("{")):
        if start < 0:
            continue
        try:
            value = json.loads(line[start:])
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def access_entries(log):
    """The access-log entries (dicts with an "outcome") in the server's stderr `log`, whether each
    line is one JSON object (the entry at its top level or under one key) or text ending in one."""
    entries = []
    for line in log.splitlines():
        obj = _json_object_in(line)
        if obj is None:
            continue
        if "outcome" in obj:
            entries.append(obj)
        else:
            entries.extend(v for v in obj.values() if isinstance(v, dict) and "outcome" in v)
    return entries


def log_lines_at(log, level):
    """The lines of `log` at `level` (e.g. "warn"): a JSON line's "level" field, or the word after the
    timestamp of a "TIME LEVEL message" line."""
    out = []
    for line in log.splitlines():
        obj = _json_object_in(line) if line.startswith("{") else None
        if obj is not None:
            found = str(obj.get("level", ""))
        else:
            words = line.split(" ", 2)
            found = words[1] if len(words) > 1 else ""
        if found.lower().startswith(level.lower()):
            out.append(line)
    return out
