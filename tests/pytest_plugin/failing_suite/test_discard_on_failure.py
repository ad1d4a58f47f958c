"""Run in record or auto mode by tests/e2e/test_pytest_plugin.py against a fake upstream. Both tests
record a tape (the first answer to a new invocation: InvocationDoesNotExist); one then fails on
purpose, and the plugin must discard its tape and keep the other."""
KEPT = {"CommandId": "0000000a-0000-4000-8000-00000000000a", "InstanceId": "i-0000000000000000a"}
DISCARDED = {"CommandId": "0000000b-0000-4000-8000-00000000000b", "InstanceId": "i-0000000000000000b"}


def first_answer(ssm, key):
    try:
        ssm.client.get_command_invocation(**key)
    except ssm.client.exceptions.InvocationDoesNotExist:
        pass
    return ssm.answers[0].status


def test_recording_kept_after_a_pass(ssm):
    assert first_answer(ssm, KEPT) == 400


def test_recording_discarded_after_a_failure(ssm):
    assert first_answer(ssm, DISCARDED) == 400
    raise AssertionError("fails on purpose: its recording must be discarded")
