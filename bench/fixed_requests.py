#!/usr/bin/env python3
"""Sends exactly N GetCommandInvocation calls, one after another on one keep-alive connection, with the
headers bench/gcinv.lua sends (an SDK's, a dummy signature), and fails unless each is answered 200.
For bench/run.sh instructions, which needs a request count that wrk's timed runs cannot fix.

    BENCH_COMMAND_ID=... BENCH_INSTANCE_ID=... python3 bench/fixed_requests.py PORT N
"""
import http.client
import os
import sys

HEADERS = {
    "Content-Type": "application/x-amz-json-1.1",
    "X-Amz-Target": "AmazonSSM.GetCommandInvocation",
    "X-Amz-Date": "20261129T090000Z",
    "User-Agent": "aws-cli/1.36.0 Python/3.11.2 Linux/6.1.0 botocore/1.43.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64,
}


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    body = '{"CommandId": "%s", "InstanceId": "%s"}' % (os.environ["BENCH_COMMAND_ID"], os.environ["BENCH_INSTANCE_ID"])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(count):
        connection.request("POST", "/", body, HEADERS)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit("call %d of %d answered HTTP %d" % (i + 1, count, response.status))


if __name__ == "__main__":
    main()
