-- wrk script: a write with a JSON body; method and body are set by bench/run.py. Each `{n}` in the
-- body becomes a counter, so repeated updates really change something (and are journaled).
wrk.method = os.getenv("VINYASA_BENCH_METHOD") or "POST"
wrk.headers["Content-Type"] = "application/json"
local template = os.getenv("VINYASA_BENCH_BODY")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, (template:gsub("{n}", tostring(n))))
end
