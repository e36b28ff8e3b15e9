-- wrk script: with a body file argument, POST that body (each request with its own hookInstance);
-- without, GET the URL. At the end prints one line "BENCH_RESULT {json}" for bench/run.py.

local placeholder = "00000000-0000-4000-8000-000000000000"
local pool_size = 16
local pool = {}
local next_request = 1
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  if args[1] == nil then
    return
  end
  local file = assert(io.open(args[1], "rb"))
  local body = file:read("*a")
  file:close()
  local first, last = body:find(placeholder, 1, true)
  assert(first, "the body has no hookInstance placeholder")
  local headers = {["Content-Type"] = "application/json", ["Accept-Language"] = "da"}
  for i = 1, pool_size do
    local instance = string.format("%08x-0000-4000-8000-%012x", thread_number or 0, i)
    pool[i] = wrk.format("POST", nil, headers, body:sub(1, first - 1) .. instance .. body:sub(last + 1))
  end
end

function request()
  if #pool == 0 then
    return wrk.format("GET")
  end
  local chosen = pool[next_request]
  next_request = next_request % pool_size + 1
  return chosen
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
