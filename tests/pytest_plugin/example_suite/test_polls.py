"""Each tape polled past its end: every answer as recorded, in order, then the last one again."""
import pytest

from replay_clients import INVOCATION_TAPES, tape_id


@pytest.mark.parametrize("tape", INVOCATION_TAPES, ids=tape_id)
def test_polls_see_the_recorded_sequence(ssm, tape):
    answers = ssm.poll(tape, len(tape.answers) + 1)
    assert answers == tape.answers + tape.answers[-1:]
