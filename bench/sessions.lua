-- wrk script: the bench GetCommandInvocation (as gcinv.lua) in one of SESSIONS named sessions, picked
-- at random per request (header X-Ssm-Replay-Session: bench-<n>).
--   wrk ... -s bench/sessions.lua URL -- SESSIONS
-- Every thread builds its requests once in init(), so request() costs only a random pick.
local command_id = os.getenv("BENCH_COMMAND_ID") or "3f6b2a9e-1c4d-4e8f-9a7b-5d2c8e1f0a34"
local instance_id = os.getenv("BENCH_INSTANCE_ID") or "i-0a1b2c3d4e5f60718"
local requests = {}

function init(args)
  local sessions = tonumber(args[1]) or 1
  local body = '{"CommandId": "' .. command_id .. '", "InstanceId": "' .. instance_id .. '"}'
  for n = 0, sessions - 1 do
    local headers = {
      ["Content-Type"] = "application/x-amz-json-1.1",
      ["X-Amz-Target"] = "AmazonSSM.GetCommandInvocation",
      ["X-Amz-Date"] = "20261129T090000Z",
      ["X-Ssm-Replay-Session"] = "bench-" .. n,
      ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
        .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00000000",
    }
    requests[#requests + 1] = wrk.format("POST", "/", headers, body)
  end
  math.randomseed(2000 + (id or 0))
end

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function request()
  return requests[math.random(#requests)]
end
