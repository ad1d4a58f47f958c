"""The credential chain end to end (issue 14): for each provider, ssm-replay records SendCommand and a
command_executed waiter through an upstream that accepts only the credentials that provider should
produce, and botocore, given the same environment, resolves the same access key id; with two sources set
at once, the proxy signs with what botocore picks; refresh under load; the error messages.

Everything is on loopback: fake STS, SSO, IMDSv2 and container endpoints (fake_aws_services.py), HOME and
the AWS config files in a temp dir per test, IMDS disabled unless a test points it at its fake.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

from fake_aws_services import (COMMAND_ID, INSTANCE_ID, CheckingUpstream, FakeEcs, FakeImds, FakeSso, FakeSts,
                               Issuer, free_port, isolated_env, key_id_for, ssm_client)
from harness import BIN, ReplayServer

ENV_KEY, ENV_SECRET = "AKIAENVIRONMENT00001", "env-secret-0000000000000000000000000000"
BASE_KEY, BASE_SECRET = "AKIABASEPROFILE00001", "base-secret-000000000000000000000000000"
CREDS_KEY, CREDS_SECRET = "AKIASHAREDCREDS00001", "shared-secret-00000000000000000000000000"
CONFIG_KEY, CONFIG_SECRET = "AKIACONFIGFILE000001", "config-secret-00000000000000000000000000"
PROCESS_KEY, PROCESS_SECRET = "AKIACREDPROCESS00001", "process-secret-0000000000000000000000000"
PROFILE = "p"
ROLE = "arn:aws:iam::123456789012:role/recorder"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.web-identity-token.sig"
SSO_TOKEN = "sso-access-token-from-aws-sso-login"
SSO_ACCOUNT, SSO_ROLE = "111122223333", "ReadOnly"
ECS_AUTH = "ecs-authorization-token"

BOTOCORE_KEY = """
import sys, botocore.session
profile = sys.argv[1] or None
credentials = botocore.session.Session(profile=profile).get_credentials()
print(credentials.get_frozen_credentials().access_key if credentials else "NONE")
"""


class Scenario:
    """One test's world: HOME with ~/.aws files, the environment, and the fakes the sources need."""

    def __init__(self, test):
        self.test = test
        self.home = tempfile.mkdtemp(prefix="ssm-e2e-creds-home-")
        test.addCleanup(shutil.rmtree, self.home, True)
        self.issuer = Issuer()
        self.env = isolated_env(self.home)
        self.config = {}       # section -> {key: value}
        self.credentials = {}  # section -> {key: value}
        self.profile_flag = None
        self._sts = None

    def start(self, service):
        self.test.addCleanup(service.stop)
        return service

    def sts(self, **kwargs):
        if self._sts is None or kwargs:
            self._sts = self.start(FakeSts(self.issuer, web_tokens=[WEB_TOKEN], **kwargs))
            self.env["AWS_ENDPOINT_URL_STS"] = self._sts.url
        return self._sts

    def write_files(self):
        os.makedirs(os.path.join(self.home, ".aws"), exist_ok=True)
        for path, sections in ((self.env["AWS_CONFIG_FILE"], self.config),
                               (self.env["AWS_SHARED_CREDENTIALS_FILE"], self.credentials)):
            with open(path, "w") as f:
                for section, keys in sections.items():
                    f.write(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()))

    def use_profile(self):
        self.env["AWS_PROFILE"] = PROFILE

    # ---- the sources; each returns the access key id it should produce --------------------------------

    def environment(self):
        self.env.update({"AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET})
        return self.issuer.register(ENV_KEY, ENV_SECRET)

    def assume_role(self):
        """Profile p assumes ROLE from profile middle, which assumes a role from base's static keys."""
        self.use_profile()
        self.sts()
        self.issuer.register(BASE_KEY, BASE_SECRET)
        self.credentials["base"] = {"aws_access_key_id": BASE_KEY, "aws_secret_access_key": BASE_SECRET}
        middle_role = "arn:aws:iam::123456789012:role/middle"
        self.config["profile middle"] = {"role_arn": middle_role, "source_profile": "base"}
        self.config.setdefault(f"profile {PROFILE}", {}).update(
            {"role_arn": ROLE, "source_profile": "middle", "role_session_name": "recorder"})
        return key_id_for(self.issuer, key_id_for(self.issuer, BASE_KEY, middle_role), ROLE)

    def assume_role_from(self, credential_source):
        """Profile p assumes ROLE with the credentials of its credential_source."""
        self.use_profile()
        self.sts()
        source_key = {"Environment": self.environment, "EcsContainer": self.container,
                      "Ec2InstanceMetadata": self.imds}[credential_source]()
        self.config.setdefault(f"profile {PROFILE}", {}).update(
            {"role_arn": ROLE, "credential_source": credential_source})
        return key_id_for(self.issuer, source_key, ROLE)

    def web_identity_env(self):
        self.sts()
        token_file = os.path.join(self.home, "oidc-token")
        with open(token_file, "w") as f:
            f.write(WEB_TOKEN)
        self.env.update({"AWS_WEB_IDENTITY_TOKEN_FILE": token_file, "AWS_ROLE_ARN": ROLE,
                         "AWS_ROLE_SESSION_NAME": "ci"})
        return key_id_for(self.issuer, "web:" + WEB_TOKEN, ROLE)

    def web_identity_profile(self):
        self.use_profile()
        self.sts()
        token_file = os.path.join(self.home, "oidc-token")
        with open(token_file, "w") as f:
            f.write(WEB_TOKEN)
        self.config.setdefault(f"profile {PROFILE}", {}).update(
            {"web_identity_token_file": token_file, "role_arn": ROLE})
        return key_id_for(self.issuer, "web:" + WEB_TOKEN, ROLE)

    def sso(self, legacy=False, expires_in_s=8 * 3600):
        self.use_profile()
        portal = self.start(FakeSso(self.issuer, SSO_TOKEN))
        self.env["AWS_ENDPOINT_URL_SSO"] = portal.url
        start_url = "https://corp.awsapps.com/start"
        profile = self.config.setdefault(f"profile {PROFILE}", {})
        profile.update({"sso_account_id": SSO_ACCOUNT, "sso_role_name": SSO_ROLE})
        if legacy:
            profile.update({"sso_start_url": start_url, "sso_region": "us-east-1"})
            cache_key = start_url
        else:
            profile["sso_session"] = "corp"
            self.config["sso-session corp"] = {"sso_start_url": start_url, "sso_region": "us-east-1",
                                               "sso_registration_scopes": "sso:account:access"}
            cache_key = "corp"
        import hashlib
        cache = os.path.join(self.home, ".aws", "sso", "cache")
        os.makedirs(cache, exist_ok=True)
        expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + expires_in_s))
        with open(os.path.join(cache, hashlib.sha1(cache_key.encode()).hexdigest() + ".json"), "w") as f:
            json.dump({"startUrl": start_url, "region": "us-east-1", "accessToken": SSO_TOKEN,
                       "expiresAt": expires}, f)
        return key_id_for(self.issuer, "sso:" + SSO_ACCOUNT, SSO_ROLE)

    def shared_credentials(self):
        self.use_profile()
        self.credentials[PROFILE] = {"aws_access_key_id": CREDS_KEY, "aws_secret_access_key": CREDS_SECRET}
        return self.issuer.register(CREDS_KEY, CREDS_SECRET)

    def credential_process(self, fail=False):
        self.use_profile()
        script = os.path.join(self.home, "credential-helper")
        with open(script, "w") as f:
            if fail:
                f.write("#!/bin/sh\necho 'helper: the vault is sealed' >&2\nexit 7\n")
            else:
                f.write("#!/bin/sh\necho '" + json.dumps({"Version": 1, "AccessKeyId": PROCESS_KEY,
                                                          "SecretAccessKey": PROCESS_SECRET}) + "'\n")
        os.chmod(script, 0o700)
        self.config.setdefault(f"profile {PROFILE}", {})["credential_process"] = script + " --for recorder"
        return self.issuer.register(PROCESS_KEY, PROCESS_SECRET)

    def config_file_keys(self):
        self.use_profile()
        self.config.setdefault(f"profile {PROFILE}", {}).update(
            {"aws_access_key_id": CONFIG_KEY, "aws_secret_access_key": CONFIG_SECRET})
        return self.issuer.register(CONFIG_KEY, CONFIG_SECRET)

    def container(self):
        ecs = self.start(FakeEcs(self.issuer, ECS_AUTH))
        token_file = os.path.join(self.home, "ecs-token")
        with open(token_file, "w") as f:
            f.write(ECS_AUTH)  # as the agent writes it: botocore refuses a line break in the header
        self.env.update({"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.url + "/creds",
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})
        return key_id_for(self.issuer, "ecs", "task-role")

    def imds(self):
        imds = self.start(FakeImds(self.issuer))
        self.env.pop("AWS_EC2_METADATA_DISABLED", None)
        self.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url
        return key_id_for(self.issuer, "imds", imds.role)

    # ---- what botocore and the proxy do with it -------------------------------------------------------

    def botocore_key(self):
        self.write_files()
        proc = subprocess.run([sys.executable, "-c", BOTOCORE_KEY, self.profile_flag or ""], env=self.env,
                              capture_output=True, text=True, timeout=60)
        self.test.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        return proc.stdout.strip()

    def serve(self, expected_key, *args):
        """Starts record mode against an upstream accepting only `expected_key`."""
        self.write_files()
        upstream = self.start(CheckingUpstream(self.issuer, accept=lambda key_id: key_id == expected_key))
        store = os.path.join(self.home, "store")
        flags = ["--profile", self.profile_flag] if self.profile_flag else []
        server = ReplayServer("--upstream", upstream.url, *flags, *args, store=store, mode="record", env=self.env)
        self.test.addCleanup(server.close)
        return server, upstream

    def serve_failure(self, *args, timeout=20):
        """Runs serve expecting it to refuse to start; (exit code, stderr, seconds it took)."""
        self.write_files()
        store = os.path.join(self.home, "store")
        started = time.monotonic()
        proc = subprocess.run([BIN, "serve", "--store", store, "--mode", "record", "--listen", "127.0.0.1:0",
                               "--upstream", "http://127.0.0.1:9", *args],
                              capture_output=True, text=True, timeout=timeout, env=self.env)
        return proc.returncode, proc.stderr, time.monotonic() - started


def record_flow(test, server):
    """SendCommand, then the command_executed waiter, through the proxy."""
    client = ssm_client(server.url)
    sent = client.send_command(InstanceIds=[INSTANCE_ID], DocumentName="AWS-RunShellScript",
                               Parameters={"commands": ["uptime"]})
    test.assertEqual(sent["Command"]["CommandId"], COMMAND_ID)
    client.get_waiter("command_executed").wait(CommandId=COMMAND_ID, InstanceId=INSTANCE_ID,
                                               WaiterConfig={"Delay": 0, "MaxAttempts": 5})


class ProviderTest(unittest.TestCase):
    """Each provider alone: the proxy records with its credentials, and botocore agrees."""

    def check(self, source, **kwargs):
        world = Scenario(self)
        expected = getattr(world, source)(**kwargs)
        self.assertEqual(world.botocore_key(), expected, "botocore resolves other credentials")
        server, upstream = world.serve(expected)
        record_flow(self, server)
        self.assertEqual(upstream.refused_requests(), [])
        self.assertGreaterEqual(len(upstream.accepted_keys()), 3)
        self.assertEqual(set(upstream.accepted_keys()), {expected})
        server.stop()
        for secret in (ENV_SECRET, BASE_SECRET, CREDS_SECRET, CONFIG_SECRET, PROCESS_SECRET, WEB_TOKEN, SSO_TOKEN,
                       ECS_AUTH):
            self.assertNotIn(secret, server.stderr())
        return server

    def test_environment(self):
        self.check("environment")

    def test_assume_role_source_profile_chain(self):
        self.check("assume_role")

    def test_assume_role_credential_source_container(self):
        self.check("assume_role_from", credential_source="EcsContainer")

    def test_assume_role_credential_source_instance_metadata(self):
        self.check("assume_role_from", credential_source="Ec2InstanceMetadata")

    def test_web_identity_from_environment(self):
        self.check("web_identity_env")

    def test_web_identity_from_profile(self):
        self.check("web_identity_profile")

    def test_sso_session(self):
        self.check("sso")

    def test_sso_legacy(self):
        self.check("sso", legacy=True)

    def test_shared_credentials_file(self):
        self.check("shared_credentials")

    def test_credential_process(self):
        self.check("credential_process")

    def test_config_file_keys(self):
        self.check("config_file_keys")

    def test_container_endpoint(self):
        self.check("container")

    def test_instance_metadata(self):
        self.check("imds")


# Pairs of sources set at once; botocore's order decides, and the proxy must sign with the same.
PAIRS = [
    ("environment", "assume_role"), ("assume_role", "web_identity_env"), ("web_identity_env", "sso"),
    ("sso", "shared_credentials"), ("shared_credentials", "credential_process"),
    ("credential_process", "config_file_keys"), ("config_file_keys", "container"), ("container", "imds"),
    ("environment", "imds"), ("assume_role", "config_file_keys"), ("web_identity_env", "container"),
    ("sso", "imds"),
]


class PrecedenceTest(unittest.TestCase):
    def test_pairs_sign_with_what_botocore_picks(self):
        for first, second in PAIRS:
            with self.subTest(first=first, second=second):
                world = Scenario(self)
                keys = {first: getattr(world, first)(), second: getattr(world, second)()}
                picked = world.botocore_key()
                self.assertIn(picked, keys.values())
                server, upstream = world.serve(picked)
                ssm_client(server.url).send_command(InstanceIds=[INSTANCE_ID], DocumentName="AWS-RunShellScript")
                self.assertEqual(upstream.accepted_keys(), [picked], f"botocore picked {picked} of {keys}")
                server.close()

    def test_profile_flag_ignores_the_environment_as_botocore_does(self):
        world = Scenario(self)
        world.environment()
        expected = world.shared_credentials()
        world.env.pop("AWS_PROFILE")
        world.profile_flag = PROFILE
        self.assertEqual(world.botocore_key(), expected)
        server, upstream = world.serve(expected)
        ssm_client(server.url).send_command(InstanceIds=[INSTANCE_ID], DocumentName="AWS-RunShellScript")
        self.assertEqual(upstream.accepted_keys(), [expected])

    def test_profile_region_is_used_when_no_region_is_set(self):
        world = Scenario(self)
        expected = world.shared_credentials()
        world.env.pop("AWS_DEFAULT_REGION")
        world.config[f"profile {PROFILE}"] = {"region": "eu-central-1"}
        server, _ = world.serve(expected)
        server.stop()
        self.assertIn("region eu-central-1", server.stderr())


class RefreshTest(unittest.TestCase):
    def test_short_lived_credentials_refresh_under_load_without_a_failed_call(self):
        """Credentials living 6 s with a 3 s window stand for 6-minute ones in a 30-minute recording."""
        world = Scenario(self)
        world.issuer = Issuer(lifetime_s=6, unique=True)
        world.web_identity_env()
        world.env["SSM_REPLAY_CREDENTIAL_REFRESH_WINDOW_S"] = "3"
        world.write_files()
        upstream = world.start(CheckingUpstream(world.issuer, echo_secrets=True))
        store = os.path.join(world.home, "store")
        server = ReplayServer("--upstream", upstream.url, store=store, mode="record", env=world.env)
        self.addCleanup(server.close)
        client = ssm_client(server.url)
        failures, calls = [], 0
        deadline = time.monotonic() + 14
        while time.monotonic() < deadline:
            try:
                client.get_command_invocation(CommandId=COMMAND_ID, InstanceId=INSTANCE_ID)
            except Exception as e:  # noqa: BLE001 - every failure is collected and reported
                failures.append(repr(e))
            calls += 1
        self.assertEqual(failures, [])
        self.assertEqual(upstream.refused_requests(), [])
        self.assertGreater(calls, 20)
        distinct = list(dict.fromkeys(upstream.accepted_keys()))
        self.assertGreaterEqual(len(distinct), 3, "expected at least 2 refreshes")
        health = json.loads(urllib.request.urlopen(server.url + "/__replay/health", timeout=10).read())
        self.assertEqual(health["credentials"]["provider"], "assume-role-with-web-identity")
        self.assertGreaterEqual(health["credentials"]["refreshes"], 2)
        metrics = urllib.request.urlopen(server.url + "/__replay/metrics", timeout=10).read().decode()
        self.assertIn("ssm_replay_credential_refreshes_total", metrics)
        server.stop()
        self.assertIn("refreshed", server.stderr())
        self.assert_no_issued_secret_recorded(world.issuer, store)

    def assert_no_issued_secret_recorded(self, issuer, store):
        """Every answer echoed the secret and token that signed it: the store holds none of them."""
        exported = os.path.join(tempfile.mkdtemp(), "tapes")
        self.addCleanup(shutil.rmtree, os.path.dirname(exported), True)
        proc = subprocess.run([BIN, "export", "--store", store, "--out", exported], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        text = "".join(open(os.path.join(root, name), encoding="utf-8").read()
                       for root, _, names in os.walk(exported) for name in names)
        self.assertIn("AWS_SECRET_ACCESS_KEY=[REDACTED]", text)
        with issuer.lock:
            issued = [(secret, token) for secret, token, expires in issuer.known.values() if expires]
        self.assertGreaterEqual(len(issued), 3)
        leaked = [i for i, (secret, token) in enumerate(issued) if secret in text or token in text]
        self.assertEqual(leaked, [], "the secrets of these issued credentials (by issue order) were recorded")


class ErrorMessageTest(unittest.TestCase):
    def closed_port_url(self):
        return f"http://127.0.0.1:{free_port()}"

    def test_no_credentials_lists_every_provider_and_exits_2(self):
        world = Scenario(self)
        world.env.pop("AWS_EC2_METADATA_DISABLED")
        world.env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.closed_port_url()  # IMDS unreachable
        code, err, took = world.serve_failure()
        self.assertEqual(code, 2, err)
        self.assertLess(took, 2.0, "an unreachable IMDS must fail fast")
        for provider in ("environment: AWS_ACCESS_KEY_ID is not set", "assume-role:", "assume-role-with-web-identity:",
                         "sso:", "shared-credentials-file:", "credential-process:", "config-file:", "container-role:",
                         "iam-role (EC2 instance metadata): instance metadata"):
            self.assertIn(provider, err)
        self.assertIn("unreachable", err)

    def test_expired_sso_token_says_to_log_in(self):
        world = Scenario(self)
        world.sso(expires_in_s=-60)
        code, err, _ = world.serve_failure()
        self.assertEqual(code, 2, err)
        self.assertIn("expired", err)
        self.assertIn("aws sso login --sso-session corp", err)
        self.assertNotIn(SSO_TOKEN, err)

    def test_failing_credential_process_reports_exit_status_and_stderr(self):
        world = Scenario(self)
        world.credential_process(fail=True)
        code, err, _ = world.serve_failure()
        self.assertEqual(code, 2, err)
        self.assertIn("exited with status 7", err)
        self.assertIn("helper: the vault is sealed", err)

    def test_sts_access_denied_is_quoted(self):
        world = Scenario(self)
        world.assume_role()
        world.sts(deny=True)
        code, err, _ = world.serve_failure()
        self.assertEqual(code, 2, err)
        self.assertIn("AccessDenied", err)
        self.assertIn("is not authorized to perform: sts:AssumeRole", err)
        self.assertNotIn(BASE_SECRET, err)

    def test_auto_mode_without_credentials_starts_and_answers_misses_502(self):
        world = Scenario(self)
        world.write_files()
        server = ReplayServer("--upstream", self.closed_port_url(), store=os.path.join(world.home, "store"),
                              mode="auto", env=world.env)
        self.addCleanup(server.close)
        client = ssm_client(server.url)
        with self.assertRaises(Exception) as raised:
            client.send_command(InstanceIds=[INSTANCE_ID], DocumentName="AWS-RunShellScript")
        self.assertIn("no AWS credentials", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
