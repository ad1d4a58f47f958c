"""list, show, delete and export as a user finds their way around a store: filters (CommandId prefix,
InstanceId, action, recorded-time window), short hashes, an aligned table, an incident exported and
merged into another store, and miss messages that name the tape a client most likely meant."""
import copy
import json
import os
import re
import unittest

import botocore.exceptions

from fixture_tapes import FIXTURES
from harness import FixturesServerTest, ScratchStoreTest, import_fixtures, run_tool

TEMPLATE = os.path.join(FIXTURES, "get-command-invocation",
                        "16ea0bfb-5cdb-4254-873d-021a57c8ab3a_i-08b0130f3ddd5f444.json")
SEND_COMMAND = os.path.join(FIXTURES, "send-command", "84989bbfb317faac.json")
INCIDENT = "c0ffee00-1111-4222-8333-444455556666"


def tool(*args, ok=True):
    proc = run_tool(*args)
    if ok and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr}")
    return proc


def write_tape(folder, name, command_id, instance_id, plugin=None, recorded_at="2026-12-06T14:00:00.000Z",
               stdout="ok"):
    """A GetCommandInvocation tape file made from a bundled fixture: its polls re-keyed and re-timed, all
    at `recorded_at` plus one second per poll."""
    with open(TEMPLATE, encoding="utf-8") as f:
        doc = json.load(f)
    request = {"CommandId": command_id, "InstanceId": instance_id}
    if plugin is not None:
        request["PluginName"] = plugin
    doc["key"] = {"action": "GetCommandInvocation", **request}
    base = recorded_at[:-5]  # "2026-12-06T14:00:00" + ".000Z"
    for n, interaction in enumerate(doc["interactions"]):
        interaction["recordedAt"] = base[:-2] + "%02d" % (int(base[-2:]) + n) + ".000Z"
        interaction["request"] = copy.deepcopy(request)
        body = interaction["response"]["body"]
        if "CommandId" in body:
            body.update({"CommandId": command_id, "InstanceId": instance_id, "StandardOutputContent": stdout})
            if plugin is not None:
                body["PluginName"] = plugin
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name + ".json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return path


def listed(store, *filters):
    return json.loads(tool("list", "--store", store, "--json", *filters).stdout)


class ListingTest(ScratchStoreTest):
    def setUp(self):
        super().setUp()
        import_fixtures(self.store)

    def import_files(self, store, *paths):
        tool("import", "--store", store, *paths)

    def test_table_stays_aligned_for_long_and_unicode_names(self):
        extra = os.path.join(self.tmp, "extra")
        long_plugin = "aws:runShellScript-" + "x" * 80
        self.import_files(self.store,
                          write_tape(extra, "a", INCIDENT, "i-0123456789abcdef0", plugin=long_plugin),
                          write_tape(extra, "b", INCIDENT, "i-0123456789abcdef0", plugin="Étape_été_2"))
        lines = tool("list", "--store", self.store).stdout.splitlines()
        header = lines[0]
        names = ["ACTION", "COMMAND ID", "INSTANCE ID", "PLUGIN", "HASH", "ENTRIES", "RECORDED", "REQUEST"]
        starts = [header.index(n) for n in names]
        self.assertEqual(starts, sorted(starts))
        self.assertEqual(len(lines), 1 + len(listed(self.store)))
        for line in lines[1:]:
            for start in starts[1:]:
                # Every cell starts at its column, after at least two spaces closing the one before.
                self.assertEqual(line[start - 2:start], "  ", f"misaligned at {start}: {line!r}")
                self.assertNotEqual(line[start], " ", f"misaligned at {start}: {line!r}")
        cut = [l for l in lines if "aws:runShellScript-xxx" in l]
        self.assertEqual(len(cut), 1)
        plugin_cell = cut[0][starts[3]:starts[4]].rstrip()
        self.assertTrue(plugin_cell.endswith("…"), plugin_cell)
        self.assertEqual(len(plugin_cell), 40)
        self.assertTrue(any("Étape_été_2" in l for l in lines))
        send = [l for l in lines if l.startswith("SendCommand")]
        self.assertEqual(len(send), 1)
        self.assertRegex(send[0][starts[4]:], r"^sha256:[0-9a-f]{16} ")

    def test_command_id_is_a_prefix(self):
        by_prefix = listed(self.store, "--command-id", "8f03")
        self.assertEqual(sorted(t["PluginName"] for t in by_prefix), ["PatchLinux", "PatchWindows"])
        by_whole = listed(self.store, "--command-id", "8f03f58b-4641-4dab-92b2-d82e3c091f90")
        self.assertEqual(by_whole, by_prefix)
        self.assertEqual(listed(self.store, "--command-id", "8f03f58b-4641-4dab-92b2-d82e3c091f91"), [])
        self.assertIn("starts with", tool("list", "--help").stdout)

    def test_unknown_action_is_an_error_naming_the_valid_ones(self):
        for sub in (["list"], ["export", "--out", os.path.join(self.tmp, "out")]):
            with self.subTest(sub=sub[0]):
                proc = tool(*sub, "--store", self.store, "--action", "SendComand", ok=False)
                self.assertEqual(proc.returncode, 1)
                self.assertIn("--action 'SendComand' is not an SSM action", proc.stderr)
                self.assertIn("Did you mean SendCommand", proc.stderr)
                self.assertIn("GetCommandInvocation", proc.stderr)
                self.assertIn("ListCommandInvocations", proc.stderr)
        self.assertEqual([t["action"] for t in listed(self.store, "--action", "SendCommand")], ["SendCommand"])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "out")))

    def test_an_incident_exported_with_filters_merges_into_another_store(self):
        incident = os.path.join(self.tmp, "incident-tapes")
        self.import_files(self.store,
                          # the incident: one command, two instances, during 14:00
                          write_tape(incident, "1", INCIDENT, "i-0aaaaaaaaaaaaaaa1", recorded_at="2026-12-06T14:00:10.000Z"),
                          write_tape(incident, "2", INCIDENT, "i-0aaaaaaaaaaaaaaa2", recorded_at="2026-12-06T14:30:00.000Z",
                                     stdout="from the recorder"),
                          # the same command on an instance not involved, and earlier runs: not exported
                          write_tape(incident, "3", "c0ffee01" + INCIDENT[8:], "i-0aaaaaaaaaaaaaaa1",
                                     recorded_at="2026-12-06T14:10:00.000Z"),
                          write_tape(incident, "4", INCIDENT, "i-0aaaaaaaaaaaaaaa1", plugin="later",
                                     recorded_at="2026-12-06T16:00:00.000Z"))
        out = os.path.join(self.tmp, "handover")
        proc = tool("export", "--store", self.store, "--out", out, "--command-id", INCIDENT[:13],
                    "--action", "GetCommandInvocation", "--since", "2026-12-06T14:00:00Z",
                    "--until", "2026-12-06T15:00:00Z")
        files = sorted(os.path.relpath(os.path.join(r, f), out) for r, _, fs in os.walk(out) for f in fs)
        self.assertEqual(files, [f"get-command-invocation/{INCIDENT}_i-0aaaaaaaaaaaaaaa1.json",
                                 f"get-command-invocation/{INCIDENT}_i-0aaaaaaaaaaaaaaa2.json"], proc.stdout)
        self.assertIn("exported 2 tapes", proc.stdout)
        only_one = listed(self.store, "--command-id", INCIDENT, "--instance-id", "i-0aaaaaaaaaaaaaaa2")
        self.assertEqual(len(only_one), 1)

        # Another store: the fixtures, and its own copy of one of the incident's tapes, which differs.
        other = os.path.join(self.tmp, "other")
        import_fixtures(other)
        self.import_files(other, write_tape(os.path.join(self.tmp, "mine"), "2", INCIDENT, "i-0aaaaaaaaaaaaaaa2",
                                            recorded_at="2026-12-06T09:00:00.000Z", stdout="the other store's"))
        before = {json.dumps(t, sort_keys=True) for t in listed(other) if t.get("CommandId") != INCIDENT}
        self.import_files(other, out)
        # Merge rule: tapes of keys only in the store stay as they were; an imported tape replaces the
        # store's whole tape of the same key (never appended to it).
        after = listed(other)
        self.assertEqual({json.dumps(t, sort_keys=True) for t in after if t.get("CommandId") != INCIDENT}, before)
        mine = [t for t in after if t.get("CommandId") == INCIDENT]
        self.assertEqual(sorted(t["InstanceId"] for t in mine), ["i-0aaaaaaaaaaaaaaa1", "i-0aaaaaaaaaaaaaaa2"])
        replaced = [t for t in mine if t["InstanceId"] == "i-0aaaaaaaaaaaaaaa2"][0]
        self.assertEqual(replaced["firstRecorded"], "2026-12-06T14:30:00.000Z")
        self.assertEqual(replaced["interactions"], 5)
        show = tool("show", "--store", other, "--command-id", INCIDENT, "--instance-id", "i-0aaaaaaaaaaaaaaa2").stdout
        self.assertIn("2026-12-06T14:30:00.000Z", show)
        self.assertNotIn("2026-12-06T09:00:00", show)

    def test_since_and_until_are_iso_utc(self):
        proc = tool("list", "--store", self.store, "--since", "yesterday", ok=False)
        self.assertEqual(proc.returncode, 1)
        self.assertIn("YYYY-MM-DDTHH:MM:SSZ", proc.stderr)
        self.assertIn("recorded", tool("export", "--help").stdout)
        self.assertEqual(listed(self.store, "--since", "2030-01-01T00:00:00Z"), [])
        self.assertEqual(len(listed(self.store, "--until", "2030-01-01T00:00:00Z")), len(listed(self.store)))

    def test_show_and_delete_by_the_short_hash_list_prints(self):
        send = listed(self.store, "--action", "SendCommand")[0]
        short = send["hash"]
        self.assertRegex(short, r"^sha256:[0-9a-f]{16}$")
        for given in (short, short[len("sha256:"):], short[len("sha256:"):][:6]):
            with self.subTest(hash=given):
                show = tool("show", "--store", self.store, "--hash", given).stdout
                self.assertTrue(show.startswith("SendCommand request " + short), show)
                self.assertIn("Restart nginx", show)
        unknown = "0000" if not short[7:].startswith("0000") else "ffff"
        proc = tool("show", "--store", self.store, "--hash", unknown, ok=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("no tape has a request hash starting with " + unknown, proc.stderr)
        proc = tool("delete", "--store", self.store, "--hash", "xyz", ok=False)
        self.assertIn("is not a short hash", proc.stderr)

        deleted = tool("delete", "--store", self.store, "--hash", short[7:15]).stdout
        self.assertEqual(deleted, f"deleted SendCommand request {short}\n")
        self.assertEqual(listed(self.store, "--action", "SendCommand"), [])


class MissMessageTest(FixturesServerTest):
    def miss(self, call, **params):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            getattr(self.server.ssm_client(), call)(**params)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "ReplayMissException")
        return error["Message"]

    def test_a_one_character_off_command_id_names_the_tape_meant(self):
        recorded = "469a0bdb-7bff-40fd-8698-2e22e4f0e7e8"
        for at in (0, 17, len(recorded) - 1):
            typo = recorded[:at] + ("0" if recorded[at] != "0" else "1") + recorded[at + 1:]
            with self.subTest(typo=typo):
                message = self.miss("get_command_invocation", CommandId=typo, InstanceId="i-0e854fd6a57f2b03b")
                nearest = message[message.index("Nearest recorded tapes:"):]
                self.assertIn(f"CommandId={recorded} InstanceId=i-0e854fd6a57f2b03b PluginName=(absent) "
                              f"(CommandId 1 character off)", nearest)
                self.assertNotIn("16ea0bfb", nearest)  # other commands are not near

    def test_a_send_command_miss_names_the_fields_that_differ(self):
        with open(SEND_COMMAND, encoding="utf-8") as f:
            request = json.load(f)["key"]["request"]
        request["Comment"] = "Restart nginx and check health, again"
        request["TimeoutSeconds"] = 900
        message = self.miss("send_command", **request)
        self.assertIn("The closest recorded SendCommand request (SendCommand request sha256:", message)
        self.assertIn('differs in 2 fields: Comment is "Restart nginx and check health, again" here, '
                      '"Restart nginx and check health" recorded; TimeoutSeconds is 900 here, 600 recorded.', message)
        short = re.search(r"closest recorded SendCommand request \(SendCommand request (sha256:[0-9a-f]{16})",
                          message).group(1)
        show = run_tool("show", "--store", self.server.store, "--hash", short)
        self.assertEqual(show.returncode, 0, show.stderr)


if __name__ == "__main__":
    unittest.main()
