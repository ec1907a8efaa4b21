-- wrk script for bench/run: one request shape per run, read from the environment, and a
-- machine-readable summary (latency percentiles, throughput, unexpected statuses) at the end.
--   BENCH_METHOD  GET or POST            BENCH_BODY    urlencoded form body (POST)
--   BENCH_COOKIES Cookie headers separated by "|": requests take them in turn, so
--                 concurrent requests belong to different sessions (as different users would)
--   BENCH_HTMX    "1" adds HX-Request: true
--   BENCH_EXPECT  the status every response must have (200, or 302 after a POST)

local threads = {}

wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
if body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end
if os.getenv("BENCH_HTMX") == "1" then
  wrk.headers["HX-Request"] = "true"
end
local expected = tonumber(os.getenv("BENCH_EXPECT") or "200")

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  unexpected = 0
  last_unexpected = 0
  prepared = {}
  for cookie in string.gmatch(os.getenv("BENCH_COOKIES") or "", "[^|]+") do
    local headers = {}
    for name, value in pairs(wrk.headers) do
      headers[name] = value
    end
    headers["Cookie"] = cookie
    table.insert(prepared, wrk.format(nil, nil, headers))
  end
  if #prepared == 0 then
    table.insert(prepared, wrk.format())
  end
  turn = 0
end

function request()
  turn = turn % #prepared + 1
  return prepared[turn]
end

function response(status, headers, body)
  if status == expected then
    ok = ok + 1
  else
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local good, bad, bad_status = 0, 0, 0
  for _, thread in ipairs(threads) do
    good = good + (thread:get("ok") or 0)
    bad = bad + (thread:get("unexpected") or 0)
    local status = thread:get("last_unexpected") or 0
    if status ~= 0 then
      bad_status = status
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "ok": %d, ' ..
    '"unexpected": %d, "unexpected_status": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, good, bad, bad_status,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
