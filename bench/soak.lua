-- soak.lua — the request mix of bench/soak.sh for wrk: mostly single assets by
-- random id (about 9 % unknown ids: 404), every 100th a filtered list, every
-- 50th a wrong token (401).  The token comes from the environment (TOKEN).
local token = os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  local auth = "Bearer " .. token
  if n % 50 == 0 then
    auth = "Bearer " .. string.rep("0", 64)
  end
  local path
  if n % 100 == 1 then
    path = "/api/assets?department=zeimu&c=3&status=active"
  else
    path = string.format("/api/assets/A-%06d", math.random(1, 110000))
  end
  return wrk.format("GET", path, { ["Authorization"] = auth })
end
