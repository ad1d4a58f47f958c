"""A plain `import` makes a small store by itself (a zstd dictionary trained on the way, the records
stored before it re-encoded), and `stats` says how small: bytes per interaction and share of raw."""
import glob
import json
import os
import re
import unittest
import uuid

from harness import ScratchStoreTest, ServeProcess, run_tool

FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(os.path.dirname(__file__), "../../fixtures"))
AUTO_DICTIONARY_RECORDS = 2000  # store/tape_store.h kAutoDictionaryRecords


def write_copies(folder, first, count, stride=1):
    """Writes `count` copies of the GetCommandInvocation fixtures, each under a new CommandId (the
    `first`-th, then every `stride`-th: two calls with stride 2 interleave their keys) and with its
    own output; returns how many interactions they hold."""
    os.makedirs(folder, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(FIXTURES, "get-command-invocation", "*.json")))
    interactions = 0
    for n in range(first, first + count * stride, stride):
        with open(sources[n % len(sources)]) as f:
            tape = json.load(f)
        old_id = tape["key"]["CommandId"]
        new_id = str(uuid.UUID(int=n + 1))
        text = json.dumps(tape).replace(old_id, new_id)
        tape = json.loads(text)
        for i, interaction in enumerate(tape["interactions"]):
            body = interaction["response"]["body"]
            if isinstance(body, dict) and "StandardOutputContent" in body:
                body["StandardOutputContent"] += f"copy {n} poll {i}: {n * 7919 % 100003} rows\n"
        interactions += len(tape["interactions"])
        with open(os.path.join(folder, f"{new_id}.json"), "w") as f:
            json.dump(tape, f, indent=2)
    return interactions


def stats(store):
    proc = run_tool("stats", "--store", store)
    if proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc.stdout


def line(text, name):
    """The numbers of `stats` line `name` (its first word(s) up to the value)."""
    found = [l for l in text.splitlines() if l.startswith(name)]
    if len(found) != 1:
        raise AssertionError(f"no single '{name}' line in:\n{text}")
    return found[0]


class ImportDensityTest(ScratchStoreTest):
    def check_import(self, folder):
        proc = run_tool("import", "--store", self.store, folder, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_stats_prints_bytes_per_interaction_and_share_of_raw(self):
        interactions = write_copies(os.path.join(self.tmp, "tapes"), 0, 50)
        self.check_import(os.path.join(self.tmp, "tapes"))
        text = stats(self.store)
        self.assertIn(f"interactions     {interactions}\n", text)
        raw = int(line(text, "raw bytes").split()[2])
        data = line(text, "data file")
        file_bytes = int(data.split()[2])
        self.assertEqual(file_bytes, self.data_bytes())
        per, share = re.search(r", (\d+) per interaction, ([\d.]+)% of raw bytes\)", data).groups()
        self.assertEqual(int(per), round(file_bytes / interactions))
        self.assertAlmostEqual(float(share), 100 * file_bytes / raw, places=1)
        used = line(text, "pages in use")
        used_bytes = int(used.split()[3])
        self.assertTrue(0 < used_bytes <= file_bytes, used)
        self.assertRegex(used, r", \d+ per interaction, [\d.]+% of raw bytes; map ")
        # Below the threshold: no dictionary yet, and stats says when one comes.
        self.assertIn(f"zstd dictionary  none yet (trained by itself once the store holds "
                      f"{AUTO_DICTIONARY_RECORDS} records)", text)

    def test_import_into_a_store_without_dictionary_trains_one_and_reencodes_the_older_records(self):
        first = os.path.join(self.tmp, "first")
        n_first = write_copies(first, 0, 60)
        self.assertLess(n_first, AUTO_DICTIONARY_RECORDS)
        self.check_import(first)
        before = stats(self.store)
        self.assertIn("zstd dictionary  none yet", before)
        share_before = float(re.search(r"([\d.]+)% of raw bytes", line(before, "stored bytes")).group(1))

        second = os.path.join(self.tmp, "second")
        n_second = write_copies(second, 60, 800)
        self.assertGreaterEqual(n_first + n_second, AUTO_DICTIONARY_RECORDS)
        self.check_import(second)
        after = stats(self.store)
        self.assertRegex(line(after, "zstd dictionary"), r"^zstd dictionary  \d+$")
        share_after = float(re.search(r"([\d.]+)% of raw bytes", line(after, "stored bytes")).group(1))
        self.assertLess(share_after, share_before / 2, after)
        self.assertEqual(run_tool("verify", "--store", self.store).returncode, 0)

        # The re-encoded tapes of the first import read back as they were imported.
        exported = self.exported(self.store)
        for path in glob.glob(os.path.join(first, "*.json")):
            with open(path) as f:
                tape = json.load(f)
            self.assertEqual(exported[tape["key"]["CommandId"] + tape["key"]["InstanceId"]], tape)

    def data_bytes(self, store=None):
        return os.path.getsize(os.path.join(store or self.store, "data.mdb"))

    def test_import_among_older_keys_ends_as_small_as_a_new_store(self):
        # The first import has too few records for a dictionary: the store an older build left.
        first, second = os.path.join(self.tmp, "first"), os.path.join(self.tmp, "second")
        n_first = write_copies(first, 0, 600, stride=2)
        self.assertLess(n_first, AUTO_DICTIONARY_RECORDS)
        self.check_import(first)
        self.assertIn("zstd dictionary  none yet", stats(self.store))
        write_copies(second, 1, 800, stride=2)  # CommandIds among the first's
        proc = run_tool("import", "--store", self.store, second, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout, r"rewrote .* in key order: data.mdb .* -> ")

        fresh = os.path.join(self.tmp, "fresh")
        for folder in (first, second):
            self.assertEqual(run_tool("import", "--store", fresh, folder, timeout=120).returncode, 0)
        self.assertLessEqual(self.data_bytes(), 1.1 * self.data_bytes(fresh))
        self.assertEqual(run_tool("verify", "--store", self.store).returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(self.store, "compacting")))
        self.assertEqual(self.exported(self.store), self.exported(fresh))

    def test_a_store_in_use_is_left_as_it_is_and_the_summary_says_how_to_compact_it(self):
        first, second = os.path.join(self.tmp, "first"), os.path.join(self.tmp, "second")
        write_copies(first, 0, 600, stride=2)
        self.check_import(first)
        write_copies(second, 1, 800, stride=2)
        with ServeProcess(self.store, "replay"):
            proc = run_tool("import", "--store", self.store, second, timeout=120)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("another process has the store open", proc.stdout)
            self.assertIn(f"Run `ssm-replay compact --store {self.store} --in-place` once it is free", proc.stdout)
            refused = run_tool("compact", "--store", self.store, "--in-place")
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("another process has the store open", refused.stderr)
        before = self.data_bytes()
        proc = run_tool("compact", "--store", self.store, "--in-place")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertLess(self.data_bytes(), 0.8 * before)
        self.assertEqual(run_tool("verify", "--store", self.store).returncode, 0)

    def exported(self, store):
        """{CommandId + InstanceId: tape} of `store`, through `ssm-replay export`."""
        out = os.path.join(self.tmp, "export-" + os.path.basename(store))
        proc = run_tool("export", "--store", store, "--out", out)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        tapes = {}
        for path in glob.glob(os.path.join(out, "**", "*.json"), recursive=True):
            with open(path) as f:
                tape = json.load(f)
            tapes[tape["key"]["CommandId"] + tape["key"]["InstanceId"]] = tape
        return tapes


if __name__ == "__main__":
    unittest.main()
