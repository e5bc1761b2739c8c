-- POST /api/v1/debates/{slug}/comments without a participant key: every
-- request creates a new participant, as a first-time commenter would.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  local body = string.format(
    '{"body": "Comment %d of the benchmark: a warrant, a court and an audit trail would change my mind.", ' ..
    '"author_name": "Reader %d"}', n, n % 997)
  return wrk.format(nil, nil, nil, body)
end
