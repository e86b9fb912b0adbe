-- A credits report: totals, the resellers with the fewest credits, the ones with the most,
-- and the disabled ones. Reads only.
--
--   nightshift run scripts/report.lua --module-path scripts/lib [--arg low=500] [--arg top=5] [--arg format=json]
-- nightshift: allow resellers.list

local common = require "common"
local low = common.whole("low", 500, 0)
local top = common.whole("top", 5, 0)

local all = resellers.list()
local total, paying, disabled, below = 0, 0, {}, {}
for _, r in ipairs(all) do
  total = total + (r.credits or 0)
  if r.use_credits then paying = paying + 1 end
  if r.status ~= 1 then disabled[#disabled + 1] = r.username end
  if r.use_credits and (r.credits or 0) < low then below[#below + 1] = r end
end
table.sort(all, function(a, b) return (a.credits or 0) > (b.credits or 0) end)
table.sort(below, function(a, b) return a.credits < b.credits end)
table.sort(disabled)

if args.format == "json" then
  local richest = {}
  for i = 1, math.min(top, #all) do richest[i] = {username = all[i].username, credits = all[i].credits} end
  local lows = {}
  for i, r in ipairs(below) do lows[i] = {username = r.username, credits = r.credits} end
  print(json.encode{
    resellers = #all, paying = paying, total_credits = total, low_threshold = low,
    below_threshold = lows, richest = richest, disabled = disabled,
  })
  return
end

print(string.format("%d resellers (%d pay with credits), %d credits in total", #all, paying, total))
print(string.format("below %d credits: %d", low, #below))
for _, r in ipairs(below) do print(string.format("  %-20s %6d", r.username, r.credits)) end
print(string.format("most credits (top %d):", top))
for i = 1, math.min(top, #all) do print(string.format("  %-20s %6d", all[i].username, all[i].credits)) end
print(string.format("disabled: %s", #disabled > 0 and table.concat(disabled, ", ") or "none"))
