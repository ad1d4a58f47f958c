-- wrk script: one GetCommandInvocation call for every key of a key file, then the threads stop (the
-- scale section runs it so that the N server holds a cursor for every key before its memory is read).
--   wrk -t T -c C -d LIMIT -s bench/walk_keys.lua URL -- KEYFILE T
-- Thread n of T calls keys n+1, n+1+T, ...; a thread stops once it had as many answers as keys. wrk
-- itself runs for LIMIT: the caller interrupts it (SIGINT) once the server holds every cursor. The key
-- file is read by bench/key_file.lua.
local key_file = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "key_file.lua")
local bodies = {}
local next_key, answered, mine = 0, 0, 0

function init(args)
  local threads = assert(tonumber(args[2]), "walk_keys.lua: give the thread count after the key file")
  key_file.each_body(args[1], "walk_keys.lua", function(body, n)
    if n % threads == id then bodies[#bodies + 1] = body end
  end)
  mine = #bodies
  assert(mine > 0, "walk_keys.lua: no keys for thread " .. id .. " in " .. args[1])
  wrk.method = "POST"
  for name, value in pairs(key_file.headers()) do wrk.headers[name] = value end
end

setup = key_file.numbered_setup()

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
