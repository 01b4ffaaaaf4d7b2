-- wrk script: POST NDJSON batches of real interactions with ids unique per request,
-- so every interaction is really stored (the endpoint is idempotent on id).
local corpus = os.getenv("RT_CORPUS")
local batch = tonumber(os.getenv("RT_BATCH") or "100")
local token = os.getenv("RT_TOKEN")
local lines = {}
for line in io.lines(corpus) do
  if #line > 0 then lines[#lines + 1] = line end
end
local counter = 0
local tid = 0
local threads = {}

function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  threads[#threads + 1] = thread
end

function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-ndjson"
  wrk.headers["Authorization"] = "Bearer " .. token
end

function request()
  counter = counter + 1
  local parts = {}
  for i = 1, batch do
    local l = lines[((counter * batch + i) % #lines) + 1]
    parts[i] = (l:gsub('"id": "', '"id": "w' .. tid .. "-" .. counter .. "-" .. i .. "-", 1))
  end
  return wrk.format(nil, nil, nil, table.concat(parts, "\n"))
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("interactions/s: %.0f  (batches of %d, %d requests, %d errors)\n",
    summary.requests * batch / secs, batch, summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("request latency ms: p50 %.1f  p99 %.1f  max %.1f\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
