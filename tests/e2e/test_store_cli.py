"""The store subcommands of build/ssm-replay, run as a user runs them."""
import filecmp
import json
import os
import shutil
import stat
import subprocess
import tempfile
import unittest

BIN = os.environ.get("SSM_REPLAY_BIN", os.path.join(os.path.dirname(__file__), "../../build/ssm-replay"))
FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(os.path.dirname(__file__), "../../fixtures"))


def run(*args, check=True):
    proc = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr}")
    return proc


def fixture_files():
    out = []
    for root, _, files in os.walk(FIXTURES):
        out += [os.path.relpath(os.path.join(root, f), FIXTURES) for f in files if f.endswith(".json")]
    return sorted(out)


def tree_bytes(folder):
    return b"".join(open(os.path.join(r, f), "rb").read() for r, _, fs in os.walk(folder) for f in fs)


class StoreCliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="ssm-replay-cli-")
        self.store = os.path.join(self.tmp, "store")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

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

    def test_output_is_quiet_off_a_terminal(self):
        proc = run("import", "--store", self.store, FIXTURES)
        self.assertNotIn("\r", proc.stderr + proc.stdout)


if __name__ == "__main__":
    unittest.main()
