"""tools/generate_fixtures.py: the bundled fixtures are exactly what it writes, and its validation's
ResponseCode rule follows AWS ("If the response code is -1, then the command hasn't started running on
the managed node, or it wasn't received by the node")."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from fixture_tapes import FIXTURES

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.join(HERE, "..", "..", "tools")
sys.path.insert(0, os.path.join(TOOLS, "python"))
from fixture_gen.validate import validate_file  # noqa: E402

REL = "get-command-invocation/16ea0bfb-5cdb-4254-873d-021a57c8ab3a_i-08b0130f3ddd5f444.json"


def fixture():
    with open(os.path.join(FIXTURES, REL), encoding="utf-8") as f:
        return json.load(f)


def problems_with_last_answer(**changes):
    """validate_file's problems once the tape's last (terminal, Success) answer has `changes`."""
    doc = fixture()
    body = doc["interactions"][-1]["response"]["body"]
    body.update(changes)
    if changes.get("ExecutionStartDateTime") == "":
        body.update({"ExecutionEndDateTime": "", "ExecutionElapsedTime": ""})
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return [p for p in validate_file(REL, text) if "ResponseCode" in p]


class GeneratorTest(unittest.TestCase):
    def test_the_bundled_fixtures_are_what_the_generator_writes(self):
        check = subprocess.run([sys.executable, os.path.join(TOOLS, "generate_fixtures.py"), "--check",
                                "--out", FIXTURES], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 0, "fixtures/ differs from tools/generate_fixtures.py's output: "
                         + check.stderr)

    def test_check_names_a_changed_file(self):
        with tempfile.TemporaryDirectory() as out:
            shutil.copytree(FIXTURES, out, dirs_exist_ok=True)
            with open(os.path.join(out, REL), "a", encoding="utf-8") as f:
                f.write(" ")
            check = subprocess.run([sys.executable, os.path.join(TOOLS, "generate_fixtures.py"), "--check",
                                    "--out", out], capture_output=True, text=True, timeout=60)
        self.assertEqual(check.returncode, 1)
        self.assertIn("differs: " + REL, check.stderr)


class ResponseCodeRuleTest(unittest.TestCase):
    def test_the_fixture_is_valid_as_generated(self):
        self.assertEqual(problems_with_last_answer(), [])
        self.assertEqual(fixture()["interactions"][-1]["response"]["body"]["Status"], "Success")

    def test_plugins_that_never_ran_keep_minus_one(self):
        for details, status in [("Undeliverable", "Failed"), ("Terminated", "Cancelled"),
                                ("DeliveryTimedOut", "TimedOut"), ("Skipped", "Success")]:
            with self.subTest(details=details):
                self.assertEqual(problems_with_last_answer(Status=status, StatusDetails=details, ResponseCode=-1), [])
                self.assertNotEqual(problems_with_last_answer(Status=status, StatusDetails=details, ResponseCode=0),
                                    [], "a plugin that never ran has no exit code")
        # Skipped after an earlier plugin failed: never started, whatever its Status says.
        self.assertEqual(problems_with_last_answer(Status="Failed", StatusDetails="Failed", ResponseCode=-1,
                                                   ExecutionStartDateTime=""), [])

    def test_plugins_that_ran_to_the_end_have_their_exit_code(self):
        self.assertNotEqual(problems_with_last_answer(ResponseCode=-1), [])
        self.assertNotEqual(problems_with_last_answer(Status="Failed", StatusDetails="Failed", ResponseCode=-1), [])
        self.assertEqual(problems_with_last_answer(Status="Failed", StatusDetails="Failed", ResponseCode=2), [])
        # Killed while running (cancelled, execution timed out): the agent may report -1.
        self.assertEqual(problems_with_last_answer(Status="TimedOut", StatusDetails="ExecutionTimedOut",
                                                   ResponseCode=-1), [])

    def test_running_plugins_have_no_exit_code_yet(self):
        doc = fixture()
        running = [i for i in doc["interactions"] if i["response"]["body"].get("Status") == "InProgress"]
        self.assertTrue(running)
        running[0]["response"]["body"]["ResponseCode"] = 0
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        self.assertTrue(any("ResponseCode" in p for p in validate_file(REL, text)))


if __name__ == "__main__":
    unittest.main()
