-- A GET of the URL given to wrk; BENCH_COOKIE (optional) is sent as the Cookie header.
dofile(os.getenv("BENCH_DIR") .. "/report.lua")

local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
