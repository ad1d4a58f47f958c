"""botocore's SigV4 signer as a reference for ssm-replay's (proxy/aws/sigv4_signer.h).

Used two ways:
  * by tests/sigv4_signer_test.cc ([botocore]): it runs `python3 sigv4_botocore.py < cases.json` and
    compares each Authorization header with its own. Input: {"cases": [{"method", "url", "headers":
    [[name, value], ...], "body_hex", "access_key", "secret_key", "token", "region", "service",
    "amz_date": "20260101T000000Z"}]}. Output: {"results": [{"authorization": ..., "headers": [[n, v]]}]}.
  * imported by end-to-end tests (e.g. a signature-checking fake upstream) via sign().

Exit status 2 with a message on stderr when botocore is missing, so callers can fail loudly.
Never log the output: it holds signatures (of test credentials only, but still).
"""

import datetime
import json
import sys
from unittest import mock

try:
    import botocore
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:  # pragma: no cover - exercised only on a machine without botocore
    sys.stderr.write(
        f"sigv4_botocore.py: cannot import botocore ({error}); run tools/setup.sh --tests or "
        "`python3 -m pip install boto3`\n")
    sys.exit(2)


def sign(method, url, headers, body, access_key, secret_key, token, region, service, amz_date):
    """Signs like a boto3 client at `amz_date` ("YYYYMMDDTHHMMSSZ"); returns the AWSRequest's headers
    after signing as a list of (name, value)."""
    request = AWSRequest(method=method, url=url, data=body)
    for name, value in headers:
        request.headers[name] = value
    credentials = Credentials(access_key, secret_key, token or None)
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    # botocore reads the clock through get_current_datetime (1.3x+); pin it.
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        SigV4Auth(credentials, service, region).add_auth(request)
    return list(request.headers.items())


def main():
    cases = json.load(sys.stdin)["cases"]
    results = []
    for case in cases:
        headers = sign(case["method"], case["url"], case["headers"], bytes.fromhex(case["body_hex"]),
                       case["access_key"], case["secret_key"], case.get("token", ""), case["region"],
                       case["service"], case["amz_date"])
        authorization = next((v for n, v in headers if n.lower() == "authorization"), "")
        results.append({"authorization": authorization, "headers": headers})
    json.dump({"botocore_version": botocore.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
