-- Shared by bench/keys.lua and bench/walk_keys.lua: GetCommandInvocation calls read from a key file,
-- lines "CommandId<TAB>InstanceId<TAB>PluginName|-" as ssm-bench-gen-tapes writes keys.tsv.
local M = {}

-- The headers of every call: signed-looking, so the server parses what SDKs send.
function M.headers()
  return {
    ["Content-Type"] = "application/x-amz-json-1.1",
    ["X-Amz-Target"] = "AmazonSSM.GetCommandInvocation",
    ["X-Amz-Date"] = "20261129T090000Z",
    ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCHEXAMPLE/20261129/us-east-1/ssm/aws4_request, "
      .. "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00000000",
  }
end

-- Calls each(body, n) for the key on every line of `path`, n counting keys from 0; `script` names the
-- caller in the error when the file cannot be opened.
function M.each_body(path, script, each)
  local file = assert(io.open(path, "r"), script .. ": cannot open key file " .. tostring(path))
  local n = 0
  for line in file:lines() do
    local command_id, instance_id, plugin = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if command_id then
      local body = '{"CommandId": "' .. command_id .. '", "InstanceId": "' .. instance_id .. '"'
      if plugin ~= "-" then body = body .. ', "PluginName": "' .. plugin .. '"' end
      each(body .. "}", n)
      n = n + 1
    end
  end
  file:close()
end

-- A wrk setup() that numbers the threads 0, 1, ... in their global `id`.
function M.numbered_setup()
  local count = 0
  return function(thread)
    thread:set("id", count)
    count = count + 1
  end
end

return M
