-- wrk script: POSTs a GraphQL body built from a template and the lines of a file, one line (or a
-- batch of lines, for screening) per request, in order; counts answers carrying GraphQL errors.
--   BENCH_BODY   template with one %s
--   BENCH_LINES  file of values (codes, search terms); absent: the template as is
--   BENCH_BATCH  lines per request, joined as a JSON array's items (default 1: the line itself)
--   BENCH_TOKEN  bearer token (optional)
local template = os.getenv("BENCH_BODY")
local batch = tonumber(os.getenv("BENCH_BATCH") or "1")
local lines = {}
local path = os.getenv("BENCH_LINES")
if path and path ~= "" then
  for line in io.lines(path) do lines[#lines + 1] = line end
end
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

local i = 0
local function next_line()
  i = i + 1
  return lines[(i - 1) % #lines + 1]
end

request = function()
  if #lines == 0 then return wrk.format(nil, "/graphql", nil, template) end
  local value
  if batch == 1 then
    value = next_line()
  else
    local items = {}
    for k = 1, batch do items[k] = '"' .. next_line() .. '"' end
    value = table.concat(items, ",")
  end
  return wrk.format(nil, "/graphql", nil, string.format(template, value))
end

-- Per thread (a global, so that done() can read it through the thread).
failed = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("failed") end
  io.write(string.format("BENCH requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f failed=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad))
end
