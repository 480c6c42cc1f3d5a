-- wrk script for ecd-sim: V3-signed admin RebootDesktops calls, built
-- beforehand by the project's request builder (sim-client --dump) into
-- $SIM_REQUESTS, one request a line: "path?query<TAB>name: value<TAB>...".
-- Thread k of n sends lines k, k+n, k+2n, ... once each (every nonce is
-- fresh), then stops sending new ones by repeating its last line, which
-- the sim answers SignatureNonceUsed: size the file for the run.
local reqs = {}
local i = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local k, n = tonumber(tid), 2
  local f = assert(io.open(os.getenv("SIM_REQUESTS"), "r"))
  local line_no = 0
  for line in f:lines() do
    if line_no % n == k then
      local fields = {}
      for field in line:gmatch("[^\t]+") do table.insert(fields, field) end
      local headers = {}
      for j = 2, #fields do
        local name, value = fields[j]:match("^([^:]+): (.*)$")
        -- "Host" as wrk spells it, or wrk adds a second one
        if name:lower() == "host" then name = "Host" end
        headers[name] = value
      end
      table.insert(reqs, wrk.format("POST", fields[1], headers, ""))
    end
    line_no = line_no + 1
  end
  f:close()
end

function request()
  if i < #reqs then i = i + 1 end
  return reqs[i]
end
