"""The example suite's tapes and clients. A client is boto3 as an application creates it, with no
endpoint_url, so the ssm_replay fixture's AWS_ENDPOINT_URL_SSM alone sends its calls to the test's
session; every answer it gets is kept as (status, request id, body bytes), to compare with the tapes."""
import os

import boto3
import botocore.config
import botocore.exceptions

from ssm_replay.tape_files import Answer, tape_files

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.environ.get("SSM_FIXTURES_DIR", os.path.join(HERE, "..", "..", "fixtures"))
INVOCATION_TAPES = tape_files(FIXTURES, "GetCommandInvocation")
SEND_COMMAND_TAPES = tape_files(FIXTURES, "SendCommand")
# The nginx restart: SendCommand, then InvocationDoesNotExist, Pending, InProgress x2, Success.
NGINX = next(t for t in INVOCATION_TAPES if t.key["InstanceId"] == "i-08b0130f3ddd5f444")

# botocore's command_executed waiter polls again on these outcomes and stops on any other.
WAITER_RETRIES = {"InvocationDoesNotExist", "Pending", "InProgress", "Delayed"}


def tape_id(tape):
    """A short test id for `tape`: CommandId prefix and PluginName or InstanceId."""
    return f"{tape.key['CommandId'][:8]}-{tape.key.get('PluginName', tape.key['InstanceId'])}".replace(":", "_")


def waiter_end(tape):
    """How many answers of `tape` the command_executed waiter reads before it stops."""
    return next(i + 1 for i, outcome in enumerate(tape.outcomes()) if outcome not in WAITER_RETRIES)


class RecordingClient:
    """A boto3 SSM client made the plain way (boto3.client("ssm")) plus `answers`: what it received."""

    def __init__(self):
        self.client = boto3.client("ssm", config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"}))
        self.answers = []
        self.client.meta.events.register("response-received.ssm", self._keep)

    def _keep(self, response_dict=None, **_):
        if response_dict is not None:
            headers = response_dict["headers"]
            self.answers.append(Answer(response_dict["status_code"], headers.get("x-amzn-RequestId"),
                                       response_dict["body"]))

    def poll(self, tape, times):
        """`times` GetCommandInvocation calls on `tape`'s key, errors included (they are answers too)."""
        for _ in range(times):
            try:
                self.client.get_command_invocation(**tape.invocation_params())
            except self.client.exceptions.ClientError:
                pass
        return self.answers

    def wait(self, tape, **key):
        """The command_executed waiter on `tape`'s key (or `key`), polling every 10 ms; True when it
        ended in Success, False when it stopped on a failure state or error."""
        params = key or tape.invocation_params()
        try:
            self.client.get_waiter("command_executed").wait(WaiterConfig={"Delay": 0.01, "MaxAttempts": 20},
                                                            **params)
            return True
        except botocore.exceptions.WaiterError:
            return False
