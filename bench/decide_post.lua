-- decide_post.lua — wrk script for POST /api/decide (or /api/decide/batch):
-- cycles through the request lines of a file, with a bearer token when given.
-- Environment: DECIDE_REQUESTS (JSONL file), DECIDE_TOKEN (optional),
-- DECIDE_BATCH (lines per request; 0 or unset: one request per call to /api/decide).
local lines, bodies, n = {}, {}, 0
local file = os.getenv("DECIDE_REQUESTS")
local token = os.getenv("DECIDE_TOKEN")
local batch = tonumber(os.getenv("DECIDE_BATCH") or "0")
for l in io.lines(file) do lines[#lines + 1] = l end
if batch > 0 then
  for i = 1, #lines, batch do
    bodies[#bodies + 1] = table.concat(lines, "\n", i, math.min(i + batch - 1, #lines)) .. "\n"
  end
else
  bodies = lines
end
wrk.method = "POST"
wrk.headers["Content-Type"] = batch > 0 and "application/x-ndjson" or "application/json"
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local path = batch > 0 and "/api/decide/batch" or "/api/decide"
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format(nil, path, nil, bodies[i])
end
