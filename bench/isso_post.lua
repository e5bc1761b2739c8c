-- Isso's comment POST: /new?uri=... with a JSON body, as its client sends it.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  local body = string.format(
    '{"text": "Comment %d of the benchmark: a warrant, a court and an audit trail would change my mind.", ' ..
    '"author": "Reader %d"}', n, n % 997)
  return wrk.format(nil, nil, nil, body)
end
