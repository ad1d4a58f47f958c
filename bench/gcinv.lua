-- wrk script: POST / a GetCommandInvocation (AWS JSON 1.1) with the headers an SDK sends.
-- The key comes from the environment (set by bench/run.sh), so the same script drives the floor
-- server, the replay server and the record proxy:
--   BENCH_COMMAND_ID, BENCH_INSTANCE_ID
-- The Authorization value is a dummy: replay ignores it, record mode drops it and re-signs.
local command_id = os.getenv("BENCH_COMMAND_ID") or "3f6b2a9e-1c4d-4e8f-9a7b-5d2c8e1f0a34"
local instance_id = os.getenv("BENCH_INSTANCE_ID") or "i-0a1b2c3d4e5f60718"

wrk.method = "POST"
wrk.path = "/"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AmazonSSM.GetCommandInvocation"
wrk.headers["X-Amz-Date"] = "20261129T090000Z"
wrk.headers["User-Agent"] = "aws-cli/1.36.0 Python/3.11.2 Linux/6.1.0 botocore/1.43.0"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
  .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="
  .. "0000000000000000000000000000000000000000000000000000000000000000"
wrk.body = '{"CommandId": "' .. command_id .. '", "InstanceId": "' .. instance_id .. '"}'
