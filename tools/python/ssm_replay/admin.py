"""The server's admin API (/__replay/*) over urllib: health, and sessions (open or configure, reset,
delete, discard a session's recordings, list). Errors come back as AdminError with the server's
AWS-shaped message."""
import json
import urllib.error
import urllib.parse
import urllib.request

POLLS = ("recorded", "collapse", "final")


class AdminError(Exception):
    """An admin call the server refused (status, AWS error type, message) or could not be reached for."""

    def __init__(self, method, path, status, error_type, message):
        self.status, self.error_type, self.message = status, error_type, message
        super().__init__(f"{method} {path}: {status} {error_type}: {message}")


class Admin:
    """Admin calls to the server at `base_url` (e.g. http://127.0.0.1:4580). `token` goes in
    X-Replay-Admin-Token, which a server listening beyond loopback requires (serve --admin-token)."""

    def __init__(self, base_url, token=None, timeout=30.0):
        self.base_url = base_url.rstrip("/")
        self.token, self.timeout = token, timeout

    def health(self):
        return self._call("GET", "/__replay/health")

    def sessions(self):
        """{"sessions": [{"name", "polls", "shiftTimes", "cursors", "calls", "lastUse", "started"}...],
        "live": N}"""
        return self._call("GET", "/__replay/sessions")

    def open_session(self, name, polls=None, shift_times=None):
        """Creates session `name`, or configures it; `polls` and `shift_times` left None keep the
        server's defaults (or the session's current settings)."""
        if polls is not None and polls not in POLLS:
            raise ValueError(f"polls {polls!r}: use one of {', '.join(POLLS)}")
        body = {"name": name}
        if polls is not None:
            body["polls"] = polls
        if shift_times is not None:
            body["shiftTimes"] = bool(shift_times)
        return self._call("POST", "/__replay/sessions", body)

    def reset_session(self, name):
        """Rewinds every cursor of session `name` (and no other session's)."""
        return self._call("POST", f"/__replay/sessions/{_quote(name)}/reset")

    def delete_session(self, name):
        return self._call("DELETE", f"/__replay/sessions/{_quote(name)}")

    def discard_session(self, name):
        """Record and auto modes: deletes the tapes session `name` wrote; returns how many."""
        return self._call("POST", f"/__replay/sessions/{_quote(name)}/discard")["discarded"]

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("X-Replay-Admin-Token", self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            error_type, message = _aws_error(e.read())
            raise AdminError(method, path, e.code, error_type, message) from None
        except OSError as e:
            raise AdminError(method, path, None, "ConnectionError", f"{self.base_url} did not answer: {e}") from None


def _quote(name):
    return urllib.parse.quote(name, safe="")


def _aws_error(payload):
    """(__type, message) of an AWS-shaped error body; the raw text when it is not one."""
    try:
        doc = json.loads(payload)
        return doc.get("__type", "?"), doc.get("message", doc.get("Message", ""))
    except ValueError:
        return "?", payload.decode("utf-8", "replace")[:500]
