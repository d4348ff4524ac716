-- wrk: township cadre and county leader requests alternating on each connection.
local cadre = "Bearer " .. os.getenv("CADRE")
local leader = "Bearer " .. os.getenv("LEADER")
local n = 0
request = function()
  n = n + 1
  local who = (n % 2 == 0) and cadre or leader
  return wrk.format("GET", nil, { ["Authorization"] = who })
end
