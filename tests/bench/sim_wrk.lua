-- wrk script for ecd-sim: client-API RebootDesktops (anonymous, so wrk
-- can build it) with a fresh SignatureNonce and ClientToken per call, one
-- desktop per call, the two threads interleaved over the fleet CSV in
-- $SIM_FLEET.  The $SIM_CALLS requests of a thread (default 100000) are
-- formatted in init(), so that wrk's Lua does not compete with the sim for
-- the CPU during the run; past them a thread repeats its last request
-- (answered SignatureNonceUsed): size SIM_CALLS for the run.
local reqs = {}
local i = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local ids = {}
  local f = assert(io.open(os.getenv("SIM_FLEET"), "r"))
  for line in f:lines() do
    local id = line:match("^(ecd%-[0-9a-z]+),")
    if id then table.insert(ids, id) end
  end
  f:close()
  -- tid is the global that setup() set in this thread's Lua state
  local k = tonumber(tid)
  local ts = os.date("!%Y-%m-%dT%H:%M:%SZ"):gsub(":", "%%3A")
  local n = tonumber(os.getenv("SIM_CALLS") or "100000")
  for c = 1, n do
    local seq = c * 2 + k
    local path = "/?Action=RebootDesktops&Format=json&Version=2020-10-02" ..
      "&Timestamp=" .. ts .. "&SignatureNonce=n" .. seq ..
      "&ClientId=bench&ClientToken=t" .. seq ..
      "&DesktopId.1=" .. ids[seq % #ids + 1] .. "&RegionId=cn-hangzhou"
    reqs[c] = wrk.format("POST", path, nil, "")
  end
end

function request()
  if i < #reqs then i = i + 1 end
  return reqs[i]
end
