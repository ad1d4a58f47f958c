"""Crash safety of the record path: 16 concurrent clients record through `serve --mode record` against a
fast local upstream; the server is killed with SIGKILL mid-load; then every interaction whose answer a
client received is on its tape (in the order received, matched by key and by the answer's unique
request id and body), `ssm-replay verify` passes, and a restarted server replays what was recorded.

Why it holds: RecordMode answers a client only after BatchingRecorder::Record returned, which is after
the group commit holding the interaction (one LMDB write transaction, mdb_txn_commit) succeeded. A
committed LMDB transaction survives the death of the process in any sync mode, since its pages are
already in the OS's page cache; the default (`sync = true`, no MDB_NOSYNC, store/FORMAT.md
"Durability") also fsyncs before answering, so it survives an OS crash or power loss too. The test runs
both the default and `--no-fsync` (MDB_NOSYNC), which must be equally safe against SIGKILL."""
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import unittest

from harness import ServeProcess, export_tapes, response_json, run_tool, ssm_call
from upstreams import FastUpstream, operator_env

CLIENTS = 16
KILL_AFTER = 400        # answered calls before the SIGKILL
MIN_ANSWERED = 150      # below this the kill was not "under load": the test says so
MAX_CALLS_PER_CLIENT = 2000
LOAD_DEADLINE_S = 25.0  # hard bound on the load phase
POLLS_PER_KEY = 4       # GetCommandInvocation calls per key: the tape grows by appending


def client_requests(client):
    """Client `client`'s calls, in order: every 5th a distinct SendCommand, the others
    GetCommandInvocation polls, POLLS_PER_KEY of them per (CommandId, InstanceId)."""
    instance = f"i-{client:017x}"
    key_no = 0
    poll = 0
    for i in range(MAX_CALLS_PER_CLIENT):
        if i % 5 == 0:
            yield "SendCommand", {"DocumentName": "AWS-RunShellScript", "InstanceIds": [instance],
                                  "Parameters": {"commands": [f"echo client {client} call {i}"]}}
        else:
            command_id = f"{client:08x}-{key_no:04x}-4000-8000-000000000000"
            yield "GetCommandInvocation", {"CommandId": command_id, "InstanceId": instance}
            poll += 1
            if poll == POLLS_PER_KEY:
                poll, key_no = 0, key_no + 1


def tape_id(action, request):
    """A key for matching client calls to exported tapes."""
    if action == "GetCommandInvocation":
        return (action, request["CommandId"], request["InstanceId"], request.get("PluginName"))
    return (action, json.dumps(request, sort_keys=True, separators=(",", ":")))


def exported_tapes(store):
    """{tape id: [(status, response JSON)]} of the store, read back through `ssm-replay export`."""
    tapes = {}
    for tape in export_tapes(store).values():
        key = tape["key"]
        tid = tape_id(key["action"], key if key["action"] == "GetCommandInvocation" else key["request"])
        tapes[tid] = [(i["response"]["status"], response_json(i)) for i in tape["interactions"]]
    return tapes


class CrashSafetyTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssm-e2e-crash-")
        self.upstream = FastUpstream()
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.cleanup()
        self.upstream.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self, store, mode, *args, **kw):
        s = ServeProcess(store, mode, *args, **kw)
        self.servers.append(s)
        return s

    def record_and_kill(self, store, *extra):
        """Records under load, SIGKILLs the server after KILL_AFTER answers; returns (received, errors):
        received[tape id] = [(status, parsed body)] in the order the client got them."""
        proxy = self.serve(store, "record", "--upstream", self.upstream.url, "--log-level", "warn", *extra,
                           env=operator_env())
        received = {}
        lock = threading.Lock()
        answered = [0]
        errors = []          # transport errors the clients saw (expected once the server is dead)
        stop = threading.Event()
        enough = threading.Event()

        def client(n):
            conn = proxy.connection(timeout=10)
            try:
                for action, request in client_requests(n):
                    if stop.is_set():
                        return
                    try:
                        status, headers, body = ssm_call(conn, action, request, {
                            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIACLIENT/x, Signature=00"})
                    except (OSError, http.client.HTTPException) as e:
                        with lock:
                            errors.append(repr(e))
                        return
                    if status not in (200, 400):
                        with lock:
                            errors.append(f"status {status}: {body[:300]!r}")
                        return
                    parsed = json.loads(body)
                    with lock:
                        received.setdefault(tape_id(action, request), []).append((status, parsed))
                        answered[0] += 1
                        if answered[0] >= KILL_AFTER:
                            enough.set()
            finally:
                conn.close()

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        enough.wait(LOAD_DEADLINE_S)
        with lock:
            at_kill = answered[0]
            unexpected = list(errors)
        self.assertEqual(unexpected, [], "clients saw errors before the kill")
        self.assertGreaterEqual(at_kill, MIN_ANSWERED,
                                f"only {at_kill} calls answered in {LOAD_DEADLINE_S}s: not a load test")
        alive = sum(t.is_alive() for t in threads)
        proxy.kill()  # mid-load: clients are waiting on answers right now
        for t in threads:
            t.join(15)
        stop.set()
        self.assertFalse(any(t.is_alive() for t in threads), "a client hung after the kill")
        self.assertEqual(alive, CLIENTS, "clients had stopped before the kill: it was not mid-load")
        with lock:
            return {k: list(v) for k, v in received.items()}, answered[0]

    def check_store(self, store, received, answered):
        verify = run_tool("verify", "--store", store)
        self.assertEqual(verify.returncode, 0, f"verify after SIGKILL: {verify.stdout}{verify.stderr}")

        tapes = exported_tapes(store)
        missing, wrong_order = [], []
        for tid, got in received.items():
            tape = tapes.get(tid)
            if tape is None:
                missing.append(tid)
                continue
            # The client's answers on a key, in order, are the start of that key's tape (the tape may
            # hold one more: recorded, then the server died before the answer was written).
            if tape[:len(got)] != got:
                wrong_order.append((tid, [b for _, b in got][:2], [b for _, b in tape][:2]))
            self.assertLessEqual(len(tape), len(got) + 1, f"tape {tid} holds calls no client made")
        self.assertEqual(missing, [], f"{len(missing)} keys whose answers clients received are not in the store")
        self.assertEqual(wrong_order, [], "answers clients received are not on tape as received")

        recorded = sum(len(t) for t in tapes.values())
        sys.stderr.write(f"[{answered} answers received, {recorded} interactions recorded, {len(tapes)} tapes] ")
        # Recorded but never received: at most the calls in flight at the kill, one per client.
        self.assertGreaterEqual(recorded, answered)
        self.assertLessEqual(recorded - answered, CLIENTS)
        unknown = set(tapes) - set(received)
        self.assertLessEqual(len(unknown), CLIENTS, "tapes of keys no client got an answer for")
        for tid in unknown:
            self.assertEqual(len(tapes[tid]), 1)
        return tapes

    def replay_check(self, store, received):
        """A restarted server (replay) answers a received GetCommandInvocation sequence identically."""
        tid, got = max(((k, v) for k, v in received.items() if k[0] == "GetCommandInvocation"),
                       key=lambda kv: len(kv[1]))
        replay = self.serve(store, "replay", "--log-level", "warn")
        conn = replay.connection()
        try:
            for want_status, want_body in got:
                status, _, body = ssm_call(conn, "GetCommandInvocation",
                                           {"CommandId": tid[1], "InstanceId": tid[2]})
                self.assertEqual((status, json.loads(body)), (want_status, want_body))
        finally:
            conn.close()
        self.assertEqual(replay.stop(), 0)

    def run_case(self, name, *extra):
        store = os.path.join(self.dir, name)
        received, answered = self.record_and_kill(store, *extra)
        total = sum(len(v) for v in received.values())
        self.assertEqual(total, answered)
        tapes = self.check_store(store, received, answered)
        self.assertTrue(any(len(t) == POLLS_PER_KEY for t in tapes.values()), "no tape grew by appending")
        self.replay_check(store, received)
        return answered

    def test_sigkill_mid_load_loses_no_answered_interaction(self):
        """Default durability (fsync at each group commit)."""
        self.run_case("store-sync")

    def test_sigkill_mid_load_no_fsync(self):
        """--no-fsync (MDB_NOSYNC): still nothing lost when only the process dies."""
        self.run_case("store-nosync", "--no-fsync")


if __name__ == "__main__":
    unittest.main()
