-- move_post.lua — wrk script for POST /api/records/{kind}/{id}/moves: each
-- request moves the next record of a file of ids (one a line) into MOVE_TO.
-- Environment: MOVE_IDS (file), MOVE_KIND, MOVE_TO, MOVE_TOKEN (a write token),
-- MOVE_THREADS (wrk's -t): thread k of n takes ids k, k+n, k+2n …, so that no
-- record is moved twice.
local ids = {}
for l in io.lines(os.getenv("MOVE_IDS")) do ids[#ids + 1] = l end
local kind, to, token = os.getenv("MOVE_KIND"), os.getenv("MOVE_TO"), os.getenv("MOVE_TOKEN")
local step, counter = tonumber(os.getenv("MOVE_THREADS") or "1"), 1
setup = function(thread)
  thread:set("first", counter)
  counter = counter + 1
end
init = function()
  i = first - step
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.body = '{"to":"' .. to .. '"}'
end
request = function()
  i = i + step
  return wrk.format(nil, "/api/records/" .. kind .. "/" .. ids[(i - 1) % #ids + 1] .. "/moves")
end
