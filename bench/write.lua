-- wrk script: a write with a JSON body; method and body are set by bench/run.py. Each `{n}` in the
-- body becomes a value unique to this run (thread number, the run's id, counter), so repeated creates
-- and updates really change something (and are journaled) and never repeat a name that must be unique.
-- The run's id comes from bench/run.py (VINYASA_BENCH_RUN): the time in seconds was not enough, since
-- a warm-up run and the measured run that follows it share a second (POST /custom_fields: 23 names
-- taken twice in one sweep).
wrk.method = os.getenv("VINYASA_BENCH_METHOD") or "POST"
wrk.headers["Content-Type"] = "application/json"
local template = os.getenv("VINYASA_BENCH_BODY")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local run = os.getenv("VINYASA_BENCH_RUN") or tostring(os.time())
request = function()
  n = n + 1
  local unique = tostring(tid or 0) .. "-" .. run .. "-" .. tostring(n)
  return wrk.format(nil, nil, nil, (template:gsub("{n}", unique)))
end
