"""Record-mode latency with and without background credential refreshes (issue 14's benchmark).

Static environment credentials vs web-identity credentials living 6 s with a 3 s refresh window (a
refresh every ~3 s), each for 20 s of sequential GetCommandInvocation calls over one keep-alive
connection, against the loopback fakes of tests/e2e/fake_aws_services.py; prints calls, p50 and p99 of
each run, twice, alternating. Run: SSM_REPLAY_BIN=build/ssm-replay python3 bench/credential_refresh.py
"""
import http.client, json, os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../tests/e2e"))
from fake_aws_services import CheckingUpstream, FakeSts, Issuer, INSTANCE_ID
from harness import ReplayServer
import tempfile

def run(refresh, seconds=20):
    home = tempfile.mkdtemp()
    issuer = Issuer(lifetime_s=6, unique=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=home, AWS_CONFIG_FILE=home + "/c", AWS_SHARED_CREDENTIALS_FILE=home + "/k",
               AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    services = []
    if refresh:
        sts = FakeSts(issuer, web_tokens=["tok"]); services.append(sts)
        open(home + "/t", "w").write("tok")
        env.update(AWS_ENDPOINT_URL_STS=sts.url, AWS_WEB_IDENTITY_TOKEN_FILE=home + "/t",
                   AWS_ROLE_ARN="arn:aws:iam::1:role/r", SSM_REPLAY_CREDENTIAL_REFRESH_WINDOW_S="3")
    else:
        issuer.register("AKIASTATICBENCH00001", "s" * 40)
        env.update(AWS_ACCESS_KEY_ID="AKIASTATICBENCH00001", AWS_SECRET_ACCESS_KEY="s" * 40)
    up = CheckingUpstream(issuer); services.append(up)
    server = ReplayServer("--upstream", up.url, "--no-fsync", store=home + "/store", mode="record", env=env)
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    lat = []
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        body = json.dumps({"CommandId": "11111111-2222-3333-4444-%012d" % (i % 50), "InstanceId": INSTANCE_ID})
        t = time.perf_counter()
        conn.request("POST", "/", body, {"X-Amz-Target": "AmazonSSM.GetCommandInvocation",
                                        "Content-Type": "application/x-amz-json-1.1",
                                        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIACLIENT/20260101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=" + "0" * 64})
        r = conn.getresponse(); r.read()
        lat.append(time.perf_counter() - t)
        assert r.status == 200, r.status
        i += 1
    health = server.http("GET", "/__replay/health")[2] if hasattr(server, "http") else None
    server.close()
    for s in services: s.stop()
    lat.sort()
    return len(lat), lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3, health

for name, refresh in (("static", False), ("refreshing", True), ("static", False), ("refreshing", True)):
    n, p50, p99, health = run(refresh)
    print(f"{name:11s} calls={n} p50={p50:.3f} ms p99={p99:.3f} ms  {health if refresh else ''}")
