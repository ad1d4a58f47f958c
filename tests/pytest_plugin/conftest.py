"""Fixtures of the plugin's suites: dummy AWS settings for every test, and `ssm`, a RecordingClient
(replay_clients.py) of the test's ssm-replay session."""
import os

import pytest

from replay_clients import RecordingClient


@pytest.fixture(autouse=True)
def dummy_aws(monkeypatch):
    """Dummy credentials and a region; no profile, config file or instance metadata of the machine's."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLESUITE0000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-suite-dummy-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def ssm(ssm_replay):
    """A RecordingClient of the test's session (created after the fixture set AWS_ENDPOINT_URL_SSM)."""
    return RecordingClient()
