-- wrk script: GetCommandInvocation calls spread over many tapes, picked at random from a key file
-- (lines "CommandId<TAB>InstanceId<TAB>PluginName|-", as ssm-bench-gen-tapes writes keys.tsv).
--   wrk ... -s bench/keys.lua URL -- KEYFILE [SESSIONS [same]]
-- With SESSIONS, each request is also in one of that many named sessions, at random (header
-- X-Ssm-Replay-Session: bench-<n>); without, all are in the default session. With `same`, the SESSIONS
-- copies of each request all name session bench-0: wrk does what it does for SESSIONS sessions while
-- the server sees one (a control for wrk's own side).
-- Every thread builds its requests once in init(), so request() costs only a random pick.
local requests = {}

function init(args)
  local file = assert(io.open(args[1], "r"), "keys.lua: cannot open key file " .. tostring(args[1]))
  local headers = {
    ["Content-Type"] = "application/x-amz-json-1.1",
    ["X-Amz-Target"] = "AmazonSSM.GetCommandInvocation",
    ["X-Amz-Date"] = "20261129T090000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
      .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00000000",
  }
  local sessions = tonumber(args[2])
  local same = args[3] == "same"
  for line in file:lines() do
    local command_id, instance_id, plugin = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if command_id then
      local body = '{"CommandId": "' .. command_id .. '", "InstanceId": "' .. instance_id .. '"'
      if plugin ~= "-" then body = body .. ', "PluginName": "' .. plugin .. '"' end
      body = body .. "}"
      for n = 0, (sessions or 1) - 1 do
        if sessions then headers["X-Ssm-Replay-Session"] = "bench-" .. (same and 0 or n) end
        requests[#requests + 1] = wrk.format("POST", "/", headers, body)
      end
    end
  end
  file:close()
  assert(#requests > 0, "keys.lua: no keys in " .. args[1])
  -- Deterministic: thread n always draws the same sequence (id is set by setup below).
  math.randomseed(1000 + (id or 0))
end

local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function request()
  return requests[math.random(#requests)]
end

-- wrk itself counts non-2xx answers ("Non-2xx or 3xx responses"); bench/lib.sh reports them, since a
-- benchmark over misses would measure the wrong thing.
