"""tools/generate_fixtures.py --validate: the ResponseCode rule follows AWS ("If the response code is -1,
then the command hasn't started running on the managed node, or it wasn't received by the node")."""
import copy
import importlib.util
import json
import os
import unittest

from fixture_tapes import FIXTURES

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("generate_fixtures",
                                              os.path.join(HERE, "..", "..", "tools", "generate_fixtures.py"))
generate_fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate_fixtures)

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
    return [p for p in generate_fixtures.validate_file(REL, text) if "ResponseCode" in p]


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
        self.assertTrue(any("ResponseCode" in p for p in generate_fixtures.validate_file(REL, text)))


if __name__ == "__main__":
    unittest.main()
