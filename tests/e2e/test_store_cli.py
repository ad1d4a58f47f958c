"""The store subcommands of build/ssm-replay, run as a user runs them."""
import filecmp
import json
import os
import pty
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import ReplayServer, ScratchStoreTest

BIN = os.environ.get("SSM_REPLAY_BIN", os.path.join(os.path.dirname(__file__), "../../build/ssm-replay"))
FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(os.path.dirname(__file__), "../../fixtures"))


def run(*args, check=True):
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr}")
    return proc


def run_on_terminal(*args):
    """Runs build/ssm-replay with stdout and stderr on one pseudo-terminal, as a user at a terminal sees
    it: (exit code, everything written, as text)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([BIN, *args], stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    finally:
        os.close(slave)
    chunks = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every copy of the terminal's other end is closed
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def fixture_files():
    out = []
    for root, _, files in os.walk(FIXTURES):
        out += [os.path.relpath(os.path.join(root, f), FIXTURES) for f in files if f.endswith(".json")]
    return sorted(out)


def tree_bytes(folder):
    return b"".join(open(os.path.join(r, f), "rb").read() for r, _, fs in os.walk(folder) for f in fs)


class StoreCliTest(ScratchStoreTest):
    def test_import_then_export_reproduces_the_fixtures_byte_for_byte(self):
        run("import", "--store", self.store, FIXTURES)
        out = os.path.join(self.tmp, "out")
        run("export", "--store", self.store, "--out", out)
        exported = sorted(os.path.relpath(os.path.join(r, f), out) for r, _, fs in os.walk(out) for f in fs)
        self.assertEqual(exported, fixture_files())
        match, mismatch, errors = filecmp.cmpfiles(FIXTURES, out, exported, shallow=False)
        self.assertEqual((mismatch, errors), ([], []))
        self.assertEqual(run("verify", "--store", self.store).returncode, 0)

    def test_reimport_replaces_rather_than_doubles(self):
        run("import", "--store", self.store, FIXTURES)
        first = json.loads(run("list", "--store", self.store, "--json").stdout)
        run("import", "--store", self.store, FIXTURES)
        second = json.loads(run("list", "--store", self.store, "--json").stdout)
        self.assertEqual(first, second)
        self.assertEqual(len(first), len(fixture_files()))

    def test_store_is_private(self):
        run("import", "--store", self.store, FIXTURES)
        self.assertEqual(stat.S_IMODE(os.stat(self.store).st_mode), 0o700)
        for f in os.listdir(self.store):
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.store, f)).st_mode), 0o600, f)

    def test_one_corrupted_byte_makes_verify_fail_naming_the_tape(self):
        run("import", "--store", self.store, FIXTURES)
        data_path = os.path.join(self.store, "data.mdb")
        with open(data_path, "rb") as f:
            data = bytearray(f.read())
        # Damage one byte inside some zstd frame (records are zstd frames with a checksum).
        frame = data.find(b"\x28\xb5\x2f\xfd", len(data) // 3)
        self.assertGreater(frame, 0)
        data[frame + 30] ^= 0x10
        with open(data_path, "wb") as f:
            f.write(bytes(data))
        proc = run("verify", "--store", self.store, check=False)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        bad = [line for line in proc.stderr.splitlines() if line.startswith("BAD ")]
        self.assertEqual(len(bad), 1, proc.stderr)
        self.assertIn("1 of", proc.stderr)
        # The tape named is the damaged one: reading it fails, every other tape still reads.
        failed = 0
        for t in json.loads(run("list", "--store", self.store, "--json").stdout):
            if t["action"] != "GetCommandInvocation":
                continue
            args = ["show", "--store", self.store, "--command-id", t["CommandId"], "--instance-id", t["InstanceId"]]
            if t["PluginName"] is not None:
                args += ["--plugin-name", t["PluginName"]]
            named = f"CommandId={t['CommandId']} InstanceId={t['InstanceId']} " \
                    f"PluginName={t['PluginName'] if t['PluginName'] is not None else '(absent)'}:"
            show = run(*args, check=False)
            if named in bad[0]:
                failed += 1
                self.assertEqual(show.returncode, 1)
                self.assertIn(t["CommandId"], show.stderr)
            else:
                self.assertEqual(show.returncode, 0, show.stderr)
        self.assertEqual(failed, 1 if "BAD GetCommandInvocation" in bad[0] else 0)

    def test_bad_files_are_reported_and_the_rest_imported(self):
        src = os.path.join(self.tmp, "src")
        shutil.copytree(FIXTURES, src)
        with open(os.path.join(src, "broken.json"), "w") as f:
            f.write('{"ssmReplayTape": 1, "key": {"action": "GetCommandInvocation"}}')
        proc = run("import", "--store", self.store, src, check=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("broken.json", proc.stderr)
        self.assertIn("key.CommandId", proc.stderr)
        # The summary is a whole sentence with the counts.
        good = len(fixture_files())
        last = proc.stderr.strip().splitlines()[-1]
        self.assertEqual(last, f"ssm-replay import: 1 of {good + 1} files could not be imported "
                               f"(see above); the other {good} were imported")
        self.assertEqual(len(json.loads(run("list", "--store", self.store, "--json").stdout)), len(fixture_files()))
        self.assertEqual(run("verify", "--store", self.store).returncode, 0)

    def test_list_filters_show_stats_delete_compact(self):
        run("import", "--store", self.store, FIXTURES)
        tapes = json.loads(run("list", "--store", self.store, "--json",
                               "--command-id", "8f03f58b-4641-4dab-92b2-d82e3c091f90").stdout)
        self.assertEqual(sorted(t["PluginName"] for t in tapes), ["PatchLinux", "PatchWindows"])
        by_instance = json.loads(run("list", "--store", self.store, "--json",
                                     "--instance-id", "i-08b0130f3ddd5f444").stdout)
        self.assertEqual(len(by_instance), 1)

        show = run("show", "--store", self.store, "--command-id", "16ea0bfb-5cdb-4254-873d-021a57c8ab3a",
                   "--instance-id", "i-08b0130f3ddd5f444").stdout
        states = [line.split()[-1] for line in show.splitlines()[2:]]
        self.assertEqual(states, ["InvocationDoesNotExist", "Pending", "InProgress", "InProgress", "Success"])

        stats = run("stats", "--store", self.store).stdout
        self.assertIn("format version   1", stats)
        self.assertIn(f"tapes            {len(fixture_files())}", stats)

        run("delete", "--store", self.store, "--command-id", "8f03f58b-4641-4dab-92b2-d82e3c091f90",
            "--instance-id", "i-00331bb206d9edf5d", "--plugin-name", "PatchWindows")
        left = json.loads(run("list", "--store", self.store, "--json",
                              "--command-id", "8f03f58b-4641-4dab-92b2-d82e3c091f90").stdout)
        self.assertEqual([t["PluginName"] for t in left], ["PatchLinux"])
        missing = run("delete", "--store", self.store, "--command-id", "nope", "--instance-id", "i-1", check=False)
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("no tape", missing.stderr)

        copy = os.path.join(self.tmp, "compacted")
        run("compact", "--store", self.store, "--out", copy)
        self.assertEqual(run("verify", "--store", copy).returncode, 0)
        self.assertEqual(run("list", "--store", copy, "--json").stdout, run("list", "--store", self.store, "--json").stdout)
        again = run("compact", "--store", self.store, "--out", copy, check=False)
        self.assertNotEqual(again.returncode, 0)

    def test_missing_store_is_a_clear_error(self):
        proc = run("list", "--store", os.path.join(self.tmp, "nope"), check=False)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no store at", proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nope")))

    def test_every_subcommand_has_help(self):
        for sub in ["import", "export", "list", "show", "stats", "verify", "delete", "compact", "train-dict"]:
            proc = run(sub, "--help")
            self.assertIn("--store", proc.stdout, sub)

    def test_only_commands_that_create_a_store_say_so(self):
        self.assertIn("created 0700 when new", run("import", "--help").stdout)
        for sub in ["export", "list", "show", "stats", "verify", "delete", "compact", "train-dict", "lint"]:
            with self.subTest(sub=sub):
                store_line = [l for l in run(sub, "--help").stdout.splitlines() if "--store" in l]
                self.assertEqual(len(store_line), 1)
                self.assertNotIn("created", store_line[0])
        for sub in ["delete", "train-dict"]:  # they write to a store, but never make one
            with self.subTest(sub=sub):
                missing = os.path.join(self.tmp, f"none-{sub}")
                args = ["--command-id", "c", "--instance-id", "i-1"] if sub == "delete" else []
                proc = run(sub, "--store", missing, *args, check=False)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("no store at", proc.stderr)
                self.assertFalse(os.path.exists(missing))

    def test_import_clears_its_progress_line_before_the_summary(self):
        code, out = run_on_terminal("import", "--store", self.store, FIXTURES)
        self.assertEqual(code, 0, out)
        self.assertIn("importing", out)  # the progress line was drawn (on a terminal only)
        summary = out.index("imported ")
        # The last thing before the summary erases the progress line: carriage return, erase to the end.
        self.assertTrue(out[:summary].endswith("\r\x1b[K"), repr(out))
        self.assertNotIn("importing", out[summary:])

    def test_export_refuses_a_folder_that_is_not_empty_unless_forced(self):
        run("import", "--store", self.store, FIXTURES)
        out = os.path.join(self.tmp, "out")
        os.makedirs(out)
        keep = os.path.join(out, "notes.txt")
        with open(keep, "w") as f:
            f.write("mine")
        proc = run("export", "--store", self.store, "--out", out, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("is not empty", proc.stderr)
        self.assertIn("--force", proc.stderr)
        self.assertEqual(os.listdir(out), ["notes.txt"])

        run("export", "--store", self.store, "--out", out, "--force")
        exported = sorted(os.path.relpath(os.path.join(r, f), out) for r, _, fs in os.walk(out) for f in fs)
        self.assertEqual(exported, sorted(fixture_files() + ["notes.txt"]))
        with open(keep) as f:
            self.assertEqual(f.read(), "mine")

        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        run("export", "--store", self.store, "--out", empty)  # an empty folder is as good as a new one
        self.assertEqual(len(fixture_files()), sum(len(fs) for _, _, fs in os.walk(empty)))

    def test_serve_without_credentials_fails_before_creating_the_store(self):
        home = os.path.join(self.tmp, "home")  # no .aws in it
        os.makedirs(home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["HOME"] = home
        env["AWS_EC2_METADATA_DISABLED"] = "true"  # no instance metadata to ask: nothing leaves loopback
        for mode in ("record", "passthrough"):  # auto mode starts without credentials (its tapes need none)
            with self.subTest(mode=mode):
                proc = subprocess.run([BIN, "serve", "--store", self.store, "--mode", mode, "--region", "us-east-1",
                                       "--listen", "127.0.0.1:0"],
                                      capture_output=True, text=True, timeout=60, env=env)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn("no AWS credentials found", proc.stderr)
                self.assertNotIn("listening on", proc.stdout)
                self.assertFalse(os.path.exists(self.store), f"--mode {mode} created the store")

    def test_output_is_quiet_off_a_terminal(self):
        proc = run("import", "--store", self.store, FIXTURES)
        self.assertNotIn("\r", proc.stderr + proc.stdout)


class ServeLogTest(unittest.TestCase):
    """serve's stderr: one JSON object per line, access lines saying which step of the tape answered."""

    def test_every_stderr_line_is_json_with_time_and_level(self):
        invocation = {"CommandId": "16ea0bfb-5cdb-4254-873d-021a57c8ab3a", "InstanceId": "i-08b0130f3ddd5f444"}
        with ReplayServer("--log-level", "info") as server:
            for _ in range(6):  # the tape has 5 entries: the last repeats
                status, _, _ = server.call("GetCommandInvocation", invocation)
                self.assertIn(status, (200, 400))
            server.call("GetCommandInvocation", {"CommandId": "nope", "InstanceId": "i-1"})  # a miss
            server.call("GetCommandInvocation", '{"bad')  # not JSON
            server.reset()
            self.assertEqual(server.stop(), 0)
            log = server.stderr()
        lines = [json.loads(line) for line in log.splitlines()]  # fails on any line that is not JSON
        self.assertTrue(lines)
        for line in lines:
            self.assertIsInstance(line, dict)
            self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(line["level"], ("trace", "debug", "info", "warn", "error", "critical"))
            self.assertTrue("msg" in line or "outcome" in line, line)
        access = [line for line in lines if "outcome" in line]
        hits = [line for line in access if line["outcome"] == "hit" and line["path"] == "/"]
        self.assertEqual([(h["step"], h["steps"]) for h in hits], [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5), (5, 5)])
        others = [line for line in access if line["path"] == "/" and line["outcome"] != "hit"]
        self.assertEqual(sorted(line["outcome"] for line in others), ["error", "miss"])
        admin = [line for line in access if line["path"].startswith("/__replay/")]
        self.assertIn("/__replay/reset", [line["path"] for line in admin])
        for line in others + admin:
            self.assertNotIn("step", line)
        self.assertTrue(any("serving" in line.get("msg", "") for line in lines))

    def test_a_failing_serve_says_why_in_json(self):
        missing = os.path.join(tempfile.gettempdir(), "ssm-replay-no-such-store")
        for log_level in ("info", "off"):  # the reason is logged even when logging is off
            with self.subTest(log_level=log_level):
                proc = subprocess.run([BIN, "serve", "--store", missing, "--listen", "127.0.0.1:0",
                                       "--log-level", log_level], capture_output=True, text=True, timeout=60)
                self.assertNotEqual(proc.returncode, 0)
                lines = [json.loads(line) for line in proc.stderr.splitlines()]
                self.assertEqual([line["level"] for line in lines], ["error"])
                self.assertIn("cannot open store", lines[0]["msg"])


if __name__ == "__main__":
    unittest.main()
