-- wrk script: a write with a JSON body; method and body are set by bench/run.py. Each `{n}` in the
-- body becomes a value unique to this run (thread number, start time, counter), so repeated creates
-- and updates really change something (and are journaled) and never repeat a name that must be unique.
wrk.method = os.getenv("VINYASA_BENCH_METHOD") or "POST"
wrk.headers["Content-Type"] = "application/json"
local template = os.getenv("VINYASA_BENCH_BODY")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local unique = tostring(tid or 0) .. "-" .. tostring(os.time()) .. "-" .. tostring(n)
  return wrk.format(nil, nil, nil, (template:gsub("{n}", unique)))
end
