"""`ssm-replay synth`: tapes written from a scenario, without AWS, that real clients cannot tell from
recorded ones. Synthesized into a store and served: boto3's command_executed waiter and the AWS CLI
reach exactly the scenario's outcome; every answer fits botocore's SSM output shape and has the field
set the recorded fixtures have for that state; output is cut at AWS's limits; bad input exits 2 and
writes nothing."""
import json
import os
import shutil
import tempfile
import unittest

import botocore.exceptions
import botocore.session

from fixture_tapes import fixture_tapes
from harness import ServeProcess, client_env, exported_files, export_tapes, response_json, run_tool

NO_DELAY = {"Delay": 0, "MaxAttempts": 20}
INSTANCE = "i-08b0130f3ddd5f444"
SSM_MODEL = botocore.session.get_session().get_service_model("ssm")

# (name, synth flags, the state the waiter ends on, the StatusDetails of the terminal answer)
OUTCOMES = [
    ("success", ["--states", "InvocationDoesNotExist,Pending,InProgress*2,Success", "--stdout", "active\nok\n"],
     "Success", "Success"),
    ("failed", ["--states", "Pending,InProgress,Failed", "--response-code", "2",
                "--stderr", "Traceback (most recent call last):\n  File \"deploy.py\", line 3\nValueError: boom\n"],
     "Failed", "Failed"),
    ("timed-out", ["--states", "InProgress*2,TimedOut", "--status-details", "ExecutionTimedOut", "--duration", "10.037"],
     "TimedOut", "ExecutionTimedOut"),
    ("delivery-timed-out", ["--states", "Pending,Delayed,TimedOut", "--status-details", "DeliveryTimedOut"],
     "TimedOut", "DeliveryTimedOut"),
    ("undeliverable", ["--states", "Pending,Failed", "--status-details", "Undeliverable"], "Failed", "Undeliverable"),
    ("cancelled", ["--states", "InProgress,Cancelled"], "Cancelled", "Cancelled"),
    ("cancelling", ["--states", "InProgress,Cancelling,Cancelled"], "Cancelling", "Cancelled"),
    ("powershell", ["--document-name", "AWS-RunPowerShellScript", "--states", "InProgress,Success"], "Success", "Success"),
]


def synth(*args):
    proc = run_tool("synth", *args)
    if proc.returncode != 0:
        raise AssertionError(f"synth {args} failed ({proc.returncode}): {proc.stderr}")
    return proc


def command_id(seed):
    """The CommandId synth derives from a seed, read from a tape file it writes."""
    out = tempfile.mkdtemp(prefix="ssm-e2e-synth-id-")
    try:
        synth("--out", os.path.join(out, "t.json"), "--seed", str(seed), "--instance-id", INSTANCE)
        with open(os.path.join(out, "t.json"), encoding="utf-8") as f:
            return json.load(f)["key"]["CommandId"]
    finally:
        shutil.rmtree(out, ignore_errors=True)


def check_shape(testcase, value, shape, where):
    """`value` as botocore would parse it for `shape`, strictly: every member known, of the shape's type,
    enum values, length limits (max only: AWS answers empty strings where the input shape says min 1)."""
    t = shape.type_name
    if t == "structure":
        testcase.assertIsInstance(value, dict, where)
        for name, member in value.items():
            testcase.assertIn(name, shape.members, f"{where}: {name} is not in {shape.name}")
            check_shape(testcase, member, shape.members[name], f"{where}.{name}")
    elif t == "list":
        testcase.assertIsInstance(value, list, where)
        for i, item in enumerate(value):
            check_shape(testcase, item, shape.member, f"{where}[{i}]")
    elif t == "map":
        testcase.assertIsInstance(value, dict, where)
        for k, v in value.items():
            check_shape(testcase, k, shape.key, f"{where} key")
            check_shape(testcase, v, shape.value, f"{where}[{k}]")
    elif t == "string":
        testcase.assertIsInstance(value, str, where)
        if shape.enum and value:
            testcase.assertIn(value, shape.enum, where)
        if "max" in shape.metadata:
            testcase.assertLessEqual(len(value), shape.metadata["max"], where)
    elif t == "integer":
        testcase.assertIsInstance(value, int, where)
        testcase.assertNotIsInstance(value, bool, where)
    elif t == "boolean":
        testcase.assertIsInstance(value, bool, where)
    elif t == "timestamp":
        testcase.assertIsInstance(value, (int, float), where)
    else:
        testcase.fail(f"{where}: unexpected shape type {t}")


def member_sets(tapes):
    """{(action, Status or error code): the member list (in order) of every answer in that state}."""
    out = {}
    for tape in tapes:
        for status, body in tape:
            if status >= 300:
                state = (tape_action(tape), "error:" + body["__type"])
                members = list(body)
            elif "Command" in body:
                state, members = ("SendCommand", body["Command"]["Status"]), list(body["Command"])
            else:
                state = ("GetCommandInvocation", body["Status"])
                members = list(body) + ["CloudWatchOutputConfig." + m for m in body["CloudWatchOutputConfig"]]
            out.setdefault(state, set()).add(tuple(members))
    return out


def tape_action(_):
    return "GetCommandInvocation"


class SynthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="ssm-e2e-synth-")
        cls.store = os.path.join(cls.dir, "store")
        cls.cases = {}
        for seed, (name, flags, end, details) in enumerate(OUTCOMES, start=100):
            synth("--store", cls.store, "--seed", str(seed), "--instance-id", INSTANCE, *flags)
            cls.cases[name] = (command_id(seed), flags, end, details)
        cls.server = ServeProcess(cls.store, "replay", env=client_env())

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.server.reset()

    def states_of(self, flags):
        listed = flags[flags.index("--states") + 1].split(",")
        out = []
        for item in listed:
            name, _, count = item.partition("*")
            out += [name] * int(count or 1)
        return out

    def test_waiter_reaches_exactly_the_scenario_outcome(self):
        client = self.server.ssm_client()
        for name, (cid, _, end, details) in self.cases.items():
            with self.subTest(name):
                waiter = client.get_waiter("command_executed")
                if end == "Success":
                    waiter.wait(CommandId=cid, InstanceId=INSTANCE, WaiterConfig=NO_DELAY)
                    answer = client.get_command_invocation(CommandId=cid, InstanceId=INSTANCE)
                    self.assertEqual(answer["Status"], "Success")
                    self.assertEqual(answer["ResponseCode"], 0)
                    continue
                with self.assertRaises(botocore.exceptions.WaiterError) as caught:
                    waiter.wait(CommandId=cid, InstanceId=INSTANCE, WaiterConfig=NO_DELAY)
                self.assertEqual(caught.exception.last_response["Status"], end)
                if end != "Cancelling":
                    self.assertEqual(caught.exception.last_response["StatusDetails"], details)

    def test_aws_cli_sees_each_state_in_order_then_the_last_repeats(self):
        for name, (cid, flags, _, details) in self.cases.items():
            with self.subTest(name):
                states = self.states_of(flags)
                for i in range(len(states) + 1):
                    want = states[min(i, len(states) - 1)]
                    rc, out, err = self.server.aws_cli("get-command-invocation", "--command-id", cid,
                                                       "--instance-id", INSTANCE)
                    if want == "InvocationDoesNotExist":
                        self.assertNotEqual(rc, 0)
                        self.assertIn("(InvocationDoesNotExist)", err)
                        continue
                    self.assertEqual(rc, 0, err)
                    answer = json.loads(out)
                    self.assertEqual(answer["Status"], want)
                    if i >= len(states) - 1:
                        self.assertEqual(answer["StatusDetails"], details)
                        if "--response-code" in flags:
                            self.assertEqual(answer["ResponseCode"], int(flags[flags.index("--response-code") + 1]))
                        if "--stderr" in flags:
                            self.assertEqual(answer["StandardErrorContent"], flags[flags.index("--stderr") + 1])

    def test_every_answer_fits_botocore_output_shapes(self):
        shapes = {a: SSM_MODEL.operation_model(a).output_shape for a in ("GetCommandInvocation", "SendCommand")}
        out = os.path.join(self.dir, "with-send")
        synth("--out", out, "--seed", "9", "--send-command", '{"Parameters":{"commands":["uptime"]}}',
              "--states", "InvocationDoesNotExist,Pending,InProgress,Success", "--plugin", "aws:runShellScript")
        files = exported_files(self.store) + [(p, _read_bytes(os.path.join(out, p))) for p in _tape_files(out)]
        checked = 0
        for path, data in files:
            tape = json.loads(data)
            action = tape["key"]["action"]
            for interaction in tape["interactions"]:
                body = response_json(interaction)
                if interaction["response"]["status"] != 200:
                    self.assertEqual(body, {"__type": "InvocationDoesNotExist"}, path)
                    self.assertEqual(list(interaction["response"]["headers"]), ["Content-Type", "x-amzn-RequestId"])
                    continue
                check_shape(self, body, shapes[action], path)
                if action == "GetCommandInvocation":
                    self.assertEqual(list(body), list(shapes[action].members), path)  # every member, in order
                checked += 1
        self.assertGreater(checked, 20)

    def test_synthesized_and_recorded_answers_have_the_same_members_per_state(self):
        recorded = member_sets([t.answers for t in fixture_tapes()])
        out = os.path.join(self.dir, "send")
        synth("--out", out, "--seed", "11", "--send-command", "--states", "InvocationDoesNotExist,Pending,Success")
        synthesized = member_sets([[(i["response"]["status"], response_json(i)) for i in t["interactions"]]
                                   for t in list(export_tapes(self.store).values()) + _read_tapes(out)])
        common = set(recorded) & set(synthesized)
        for state in ["Pending", "InProgress", "Delayed", "Success", "Failed", "Cancelling", "Cancelled", "TimedOut"]:
            self.assertIn(("GetCommandInvocation", state), common)
        self.assertIn(("SendCommand", "Pending"), common)
        self.assertIn(("GetCommandInvocation", "error:InvocationDoesNotExist"), common)
        for state in common:
            with self.subTest(state):
                self.assertEqual(synthesized[state], recorded[state])

    def test_lint_passes_on_every_synthesized_tape(self):
        proc = run_tool("lint", "--store", self.store)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn(f"{len(self.cases)} GetCommandInvocation tapes checked", proc.stdout)

    def test_a_never_ending_scenario_is_written_and_lint_says_why(self):
        store = os.path.join(self.dir, "never")
        proc = synth("--store", store, "--states", "Pending,InProgress*3")
        self.assertIn("never", proc.stderr)
        lint = run_tool("lint", "--store", store)
        self.assertEqual(lint.returncode, 1)
        self.assertIn("WARN", lint.stdout)
        self.assertIn("InProgress", lint.stdout)


def _tape_files(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _read_tapes(root):
    out = []
    for path in _tape_files(root):
        with open(os.path.join(root, path), encoding="utf-8") as f:
            out.append(json.load(f))
    return out


class SynthFleetTest(unittest.TestCase):
    """One command on 50 instances, 3 of them failing, from a scenario file."""

    def test_fifty_instances_three_failures(self):
        work = tempfile.mkdtemp(prefix="ssm-e2e-fleet-")
        self.addCleanup(shutil.rmtree, work, True)
        with open(os.path.join(work, "trace.txt"), "w") as f:
            f.write("Traceback (most recent call last):\n  File \"migrate.py\", line 9\nKeyError: 'db'\n")
        scenario = {
            "seed": 50, "comment": "Roll out release 42", "sendCommand": {"Parameters": {"commands": ["deploy 42"]}},
            "states": "InvocationDoesNotExist,Pending,InProgress*2,Success", "stdout": "deployed 42\n",
            "invocations": [
                {"count": 47},
                {"count": 3, "states": "Pending,InProgress,Failed", "responseCode": 2, "stdout": "",
                 "stderr": "@trace.txt"},
            ],
        }
        path = os.path.join(work, "fleet.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        store = os.path.join(work, "store")
        synth("--store", store, "--scenario", path)
        self.assertEqual(run_tool("lint", "--store", store).returncode, 0)
        with ServeProcess(store, "replay", env=client_env()) as server:
            client = server.ssm_client()
            sent = client.send_command(DocumentName="AWS-RunShellScript", InstanceIds=_fleet(store),
                                       Parameters={"commands": ["deploy 42"]}, Comment="Roll out release 42")
            cid = sent["Command"]["CommandId"]
            self.assertEqual(sent["Command"]["TargetCount"], 50)
            outcome = {"Success": 0, "Failed": 0}
            for instance in sent["Command"]["InstanceIds"]:
                try:
                    client.get_waiter("command_executed").wait(CommandId=cid, InstanceId=instance,
                                                               WaiterConfig=NO_DELAY)
                    outcome["Success"] += 1
                except botocore.exceptions.WaiterError as e:
                    self.assertEqual(e.last_response["Status"], "Failed")
                    self.assertEqual(e.last_response["ResponseCode"], 2)
                    self.assertIn("KeyError: 'db'", e.last_response["StandardErrorContent"])
                    outcome["Failed"] += 1
            self.assertEqual(outcome, {"Success": 47, "Failed": 3})


def _fleet(store):
    """The instances of the store's SendCommand tape, in its order."""
    for tape in export_tapes(store).values():
        if tape["key"]["action"] == "SendCommand":
            return tape["key"]["request"]["InstanceIds"]
    raise AssertionError("no SendCommand tape")


class SynthOutputAndInputTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ssm-e2e-synth-io-")
        self.addCleanup(shutil.rmtree, self.work, True)

    def test_output_cut_at_24000_and_8000_characters(self):
        with open(os.path.join(self.work, "out.txt"), "w", encoding="utf-8") as f:
            f.write("é" * 10 + "x" * 30000)
        store = os.path.join(self.work, "store")
        synth("--store", store, "--instance-id", INSTANCE, "--states", "InProgress,Failed",
              "--stdout", "@" + os.path.join(self.work, "out.txt"), "--stderr", "e" * 9000, "--seed", "5")
        with ServeProcess(store, "replay", env=client_env()) as server:
            cid = [t for t in export_tapes(store).values()][0]["key"]["CommandId"]
            server.aws_cli("get-command-invocation", "--command-id", cid, "--instance-id", INSTANCE)
            rc, out, err = server.aws_cli("get-command-invocation", "--command-id", cid, "--instance-id", INSTANCE)
            self.assertEqual(rc, 0, err)
            answer = json.loads(out)
            self.assertEqual(answer["StandardOutputContent"], "é" * 10 + "x" * 23990)
            self.assertEqual(answer["StandardErrorContent"], "e" * 8000)

    def test_out_file_imports_to_the_same_tape_as_store(self):
        flags = ["--seed", "21", "--states", "Pending,InProgress,Success"]
        for target in (["--out", os.path.join(self.work, "t.json")], ["--store", os.path.join(self.work, "direct")]):
            proc = synth(*target, *flags)
            self.assertIn("synthesized 1 tape (3 interactions) of CommandId ", proc.stdout)
        self.assertEqual(run_tool("import", "--store", os.path.join(self.work, "imported"),
                                  os.path.join(self.work, "t.json")).returncode, 0)
        with open(os.path.join(self.work, "t.json"), "rb") as f:
            written = f.read()
        for store in ("direct", "imported"):
            files = exported_files(os.path.join(self.work, store))
            self.assertEqual([data for _, data in files], [written], store)

    def test_two_plugins_each_answer_their_own_outcome(self):
        scenario = {"seed": 31, "documentName": "Acme-Deploy", "invocations": [{"instanceId": INSTANCE, "plugins": [
            {"name": "deployLinux", "states": "InProgress,Success", "stdout": "ok\n"},
            {"name": "deployWindows", "states": "InProgress,Failed", "responseCode": 2,
             "stderr": "At line:1 char:1\n+ throw 'boom'\n"}]}]}
        path = os.path.join(self.work, "two.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        store = os.path.join(self.work, "store")
        synth("--store", store, "--scenario", path)
        keys = [t["key"] for t in export_tapes(store).values()]
        self.assertEqual(sorted(k.get("PluginName") for k in keys), ["deployLinux", "deployWindows"])
        cid = keys[0]["CommandId"]
        with ServeProcess(store, "replay", env=client_env()) as server:
            client = server.ssm_client()
            client.get_waiter("command_executed").wait(CommandId=cid, InstanceId=INSTANCE, PluginName="deployLinux",
                                                       WaiterConfig=NO_DELAY)
            with self.assertRaises(botocore.exceptions.WaiterError) as caught:
                client.get_waiter("command_executed").wait(CommandId=cid, InstanceId=INSTANCE,
                                                           PluginName="deployWindows", WaiterConfig=NO_DELAY)
            self.assertEqual(caught.exception.last_response["Status"], "Failed")
            rc, out, err = server.aws_cli("get-command-invocation", "--command-id", cid, "--instance-id", INSTANCE,
                                          "--plugin-name", "deployWindows")
            self.assertEqual(rc, 0, err)
            answer = json.loads(out)
            self.assertEqual((answer["PluginName"], answer["ResponseCode"], answer["DocumentName"]),
                             ("deployWindows", 2, "Acme-Deploy"))

    def test_bad_input_exits_2_naming_the_flag_and_writes_nothing(self):
        cases = [
            (["--states", "Pending,Sucess"], "--states: unknown state 'Sucess'", "InvocationDoesNotExist, Pending"),
            (["--states", "InProgress,Failed", "--status-details", "Terminated"], "--status-details:", "Undeliverable"),
            (["--states", "Success", "--response-code", "3"], "--response-code:", "exit code 0"),
            (["--poll-interval", "soon"], "--poll-interval: 'soon'", "seconds"),
            (["--start", "2026-13-01"], "--start:", "ISO 8601"),
            (["--instance-id", "web-1"], "--instance-id: 'web-1'", "i-"),
            (["--states", "InProgress*3,Success", "--duration", "1"], "--duration:", "between"),
            (["--plugin", "a", "--states", "Success"], "--plugin:", "4 characters"),
        ]
        for args, message, hint in cases:
            with self.subTest(args):
                store = os.path.join(self.work, "never-written")
                out = os.path.join(self.work, "never.json")
                for target in (["--store", store], ["--out", out]):
                    proc = run_tool("synth", *target, *args)
                    self.assertEqual(proc.returncode, 2, proc.stderr)
                    self.assertIn(message, proc.stderr)
                    self.assertIn(hint, proc.stderr)
                    self.assertFalse(os.path.exists(store) or os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
