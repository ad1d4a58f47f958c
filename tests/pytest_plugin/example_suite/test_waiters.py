"""boto3's command_executed waiter on each tape: it reads the recorded answers in order up to the first
terminal one, and succeeds exactly when that one is Success."""
import pytest

from replay_clients import INVOCATION_TAPES, tape_id, waiter_end


@pytest.mark.parametrize("tape", INVOCATION_TAPES, ids=tape_id)
def test_waiter_sees_the_recorded_sequence(ssm, tape):
    end = waiter_end(tape)
    succeeded = ssm.wait(tape)
    assert ssm.answers == tape.answers[:end]
    assert succeeded == (tape.outcomes()[end - 1] == "Success")
