-- move_post.lua — wrk script for POST /api/records/{kind}/{id}/moves: each
-- request moves the next record of a file of ids (one a line) into MOVE_TO.
-- Environment: MOVE_IDS (file), MOVE_KIND, MOVE_TO, MOVE_TOKEN (a write token).
-- Each wrk thread takes every other id, so that no record is moved twice.
local ids = {}
for l in io.lines(os.getenv("MOVE_IDS")) do ids[#ids + 1] = l end
local kind, to, token = os.getenv("MOVE_KIND"), os.getenv("MOVE_TO"), os.getenv("MOVE_TOKEN")
local threads, counter = {}, 1
setup = function(thread)
  thread:set("first", counter)
  counter = counter + 1
end
init = function()
  i = first - 2
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.body = '{"to":"' .. to .. '"}'
end
request = function()
  i = i + 2
  return wrk.format(nil, "/api/records/" .. kind .. "/" .. ids[(i - 1) % #ids + 1] .. "/moves")
end
