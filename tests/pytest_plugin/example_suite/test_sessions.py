"""The fixture itself: the environment it sets, the session it opens, reset(), a whole workflow."""
import os

import pytest
from ssm_replay import Admin

from replay_clients import NGINX, SEND_COMMAND_TAPES, RecordingClient


def test_endpoint_env_var_selects_the_session(ssm_replay, ssm):
    assert os.environ["AWS_ENDPOINT_URL_SSM"] == ssm_replay.endpoint_url
    assert ssm_replay.endpoint_url == f"{ssm_replay.base_url}/session/{ssm_replay.session}"
    assert ssm.client.meta.endpoint_url == ssm_replay.endpoint_url
    assert ssm.poll(NGINX, 1) == NGINX.answers[:1]
    names = [s["name"] for s in Admin(ssm_replay.base_url).sessions()["sessions"]]
    assert ssm_replay.session in names


def test_reset_rewinds_the_session(ssm_replay, ssm):
    ssm.poll(NGINX, 2)
    ssm_replay.reset()
    ssm.poll(NGINX, len(NGINX.answers))
    assert ssm.answers == NGINX.answers[:2] + NGINX.answers


def test_send_command_then_wait(ssm):
    send = SEND_COMMAND_TAPES[0]
    command = ssm.client.send_command(**send.key["request"])["Command"]
    assert command["CommandId"] == NGINX.key["CommandId"]
    assert ssm.wait(NGINX, CommandId=command["CommandId"], InstanceId=command["InstanceIds"][0])
    assert ssm.answers == send.answers + NGINX.answers


def test_two_clients_share_the_test_session(ssm):
    ssm.poll(NGINX, 2)
    other = RecordingClient()
    other.poll(NGINX, len(NGINX.answers) - 2)
    assert ssm.answers + other.answers == NGINX.answers


@pytest.mark.ssm_replay(polls="final")
def test_final_polls_answer_the_end_at_once(ssm):
    assert ssm.wait(NGINX)
    assert ssm.answers == NGINX.answers[-1:]


@pytest.mark.ssm_replay(polls="collapse")
def test_collapse_polls_show_each_state_once(ssm):
    assert ssm.wait(NGINX)
    outcomes = ["InvocationDoesNotExist", "Pending", "InProgress", "Success"]
    first_of_each = [NGINX.answers[NGINX.outcomes().index(o)] for o in outcomes]
    assert ssm.answers == first_of_each
