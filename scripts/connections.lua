-- Bring every reseller's max_allowed_connections in line with a rule: one connection per
-- `per` credits, at least `min` and at most `max`. Changes no credits.
--
--   nightshift run scripts/connections.lua --module-path scripts/lib --arg per=200 --arg min=1 --arg max=100 \
--       --allow resellers.list --allow resellers.update
-- nightshift: allow resellers.list, resellers.update

local common = require "common"
local per = common.whole("per", 200, 1)
local min = common.whole("min", 1, 0)
local max = common.whole("max", 100, min)

local function wanted(credits)
  local n = (credits or 0) // per
  if n < min then return min end
  if n > max then return max end
  return n
end

local changed, kept = 0, 0
for _, r in ipairs(resellers.list()) do
  local target = wanted(r.credits)
  if r.max_allowed_connections ~= target then
    resellers.update(r.id, {max_allowed_connections = target})
    print(string.format("%s (id %d): %d -> %d connections (%d credits)",
      r.username, r.id, r.max_allowed_connections, target, r.credits))
    changed = changed + 1
  else
    kept = kept + 1
  end
end
print(string.format("%d changed, %d already in line", changed, kept))
