-- wrk script: GetCommandInvocation calls spread over many tapes, picked at random from a key file
-- (lines "CommandId<TAB>InstanceId<TAB>PluginName|-", as ssm-bench-gen-tapes writes keys.tsv).
--   wrk ... -s bench/keys.lua URL -- KEYFILE [SESSIONS [same]]
-- With SESSIONS, each request is also in one of that many named sessions, at random (header
-- X-Ssm-Replay-Session: bench-<n>); without, all are in the default session. With `same`, the SESSIONS
-- copies of each request all name session bench-0: wrk does what it does for SESSIONS sessions while
-- the server sees one (a control for wrk's own side).
-- Every thread builds its requests once in init(), so request() costs only a random pick.
local key_file = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "key_file.lua")
local requests = {}

function init(args)
  local headers = key_file.headers()
  local sessions = tonumber(args[2])
  local same = args[3] == "same"
  key_file.each_body(args[1], "keys.lua", function(body)
    for n = 0, (sessions or 1) - 1 do
      if sessions then headers["X-Ssm-Replay-Session"] = "bench-" .. (same and 0 or n) end
      requests[#requests + 1] = wrk.format("POST", "/", headers, body)
    end
  end)
  assert(#requests > 0, "keys.lua: no keys in " .. args[1])
  -- Deterministic: thread n always draws the same sequence (id is set by setup below).
  math.randomseed(1000 + (id or 0))
end

setup = key_file.numbered_setup()

function request()
  return requests[math.random(#requests)]
end

-- wrk itself counts non-2xx answers ("Non-2xx or 3xx responses"); bench/lib.sh reports them, since a
-- benchmark over misses would measure the wrong thing.
