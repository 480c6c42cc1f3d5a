-- wrk script for ecd-sim: client-API RebootDesktops (anonymous, so wrk
-- can build it) with a fresh SignatureNonce and ClientToken per call, one
-- desktop per call taken round-robin from the fleet CSV in $SIM_FLEET.
-- Every call goes the whole way: parse, checks, nonce store, idempotency
-- store, state machine, stats.  Used by tests/bench/sim_bench.sh.
local ids = {}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("SIM_FLEET"), "r"))
  for line in f:lines() do
    local id = line:match("^(ecd%-[0-9a-z]+),")
    if id then table.insert(ids, id) end
  end
  f:close()
  -- tid is the global that setup() set in this thread's Lua state
  counter = (tonumber(tid) or 0) * 1000000000
end

function request()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  local ts = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local path = "/?Action=RebootDesktops&Format=json&Version=2020-10-02" ..
    "&Timestamp=" .. ts:gsub(":", "%%3A") ..
    "&SignatureNonce=n" .. counter ..
    "&ClientId=bench&ClientToken=t" .. counter ..
    "&DesktopId.1=" .. id .. "&RegionId=cn-hangzhou"
  return wrk.format("POST", path, nil, "")
end
