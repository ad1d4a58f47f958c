-- wrk script: one GetCommandInvocation call for every key of a key file, then the threads stop (the
-- scale section runs it so that the N server holds a cursor for every key before its memory is read).
--   wrk -t T -c C -d LIMIT -s bench/walk_keys.lua URL -- KEYFILE T
-- Thread n of T calls keys n+1, n+1+T, ...; a thread stops once it had as many answers as keys. wrk
-- itself runs for LIMIT: the caller interrupts it (SIGINT) once the server holds every cursor. Keys as keys.lua reads them, lines "CommandId<TAB>InstanceId<TAB>PluginName|-".
local bodies = {}
local next_key, answered, mine = 0, 0, 0

function init(args)
  local threads = assert(tonumber(args[2]), "walk_keys.lua: give the thread count after the key file")
  local file = assert(io.open(args[1], "r"), "walk_keys.lua: cannot open key file " .. tostring(args[1]))
  local n = 0
  for line in file:lines() do
    local command_id, instance_id, plugin = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if command_id then
      if n % threads == id then
        local body = '{"CommandId": "' .. command_id .. '", "InstanceId": "' .. instance_id .. '"'
        if plugin ~= "-" then body = body .. ', "PluginName": "' .. plugin .. '"' end
        bodies[#bodies + 1] = body .. "}"
      end
      n = n + 1
    end
  end
  file:close()
  mine = #bodies
  assert(mine > 0, "walk_keys.lua: no keys for thread " .. id .. " in " .. args[1])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
  wrk.headers["X-Amz-Target"] = "AmazonSSM.GetCommandInvocation"
  wrk.headers["X-Amz-Date"] = "20261129T090000Z"
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
    .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00000000"
end

local thread_count = 0
function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function request()
  -- Round the thread's keys: wrk calls thread 0's request() once before the run to check it, so that
  -- thread's first key comes last; calls past the end (connections still open) repeat early keys.
  next_key = next_key % mine + 1
  return wrk.format(nil, "/", nil, bodies[next_key])
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= mine then wrk.thread:stop() end
end
