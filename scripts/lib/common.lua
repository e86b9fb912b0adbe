-- Shared helpers for the example scripts: reading --arg values with clear errors, and
-- choosing resellers. Scripts load it with `require "common"` and run with
-- `--module-path scripts/lib` (or `[modules] paths = ["scripts/lib"]` in nightshift.toml).
local common = {}

--- The whole number given as `--arg name=N`, or `default` when it is absent; at least `min`.
function common.whole(name, default, min)
  local text = args[name]
  if text == nil then return default end
  local n = math.tointeger(tonumber(text))
  if n == nil or (min ~= nil and n < min) then
    error(string.format("--arg %s must be a whole number%s, got %q", name,
      min ~= nil and (", " .. min .. " or more") or "", text), 2)
  end
  return n
end

--- The comma-separated values of `--arg name=a,b,c` (empty when absent).
function common.list(name)
  local values = {}
  for value in (args[name] or ""):gmatch("[^,%s]+") do values[#values + 1] = value end
  return values
end

--- Resellers that pay with credits, are enabled and have fewer than `threshold`, lowest first.
function common.below(rows, threshold)
  local low = {}
  for _, r in ipairs(rows) do
    if r.use_credits and r.status == 1 and (r.credits or 0) < threshold then low[#low + 1] = r end
  end
  table.sort(low, function(a, b) return a.credits < b.credits end)
  return low
end

return common
