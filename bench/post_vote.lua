-- POST /api/v1/debates/{slug}/vote without a participant key: every request
-- is a new participant's first ballot, spread over the poll's three options.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local options = {"useful", "invasion", "unsure"}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"option": "%s"}', options[n % 3 + 1]))
end
