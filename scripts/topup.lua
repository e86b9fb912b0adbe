-- Top up resellers whose credits fell below a threshold, several at a time.
--
--   nightshift run scripts/topup.lua --module-path scripts/lib --arg threshold=500 --arg amount=250 \
--       --allow resellers.list --allow resellers.add_credits --max-credits 5000 --max-credits-per-reseller 250
--
-- Arguments: threshold (default 500), amount (default 250), max_resellers (default: all),
-- concurrency (top-ups in flight at once; default: the run's --concurrency).
-- Only resellers that pay with credits (use_credits) and are enabled (status 1) are topped up,
-- the lowest first. The credit caps hold however many top-ups are in flight.
-- nightshift: allow resellers.list, resellers.add_credits

local common = require "common"
local threshold = common.whole("threshold", 500, 0)
local amount = common.whole("amount", 250, 1)
local limit = common.whole("max_resellers", 0, 0)
local concurrency = common.whole("concurrency", nil, 1)

local low = common.below(resellers.list(), threshold)
local total = #low
if limit > 0 then
  for i = #low, limit + 1, -1 do low[i] = nil end
end

tasks.map(low, function(r)
  resellers.add_credits(r.id, amount)
  log.info(string.format("topped up %s (id %d): %d -> %d", r.username, r.id, r.credits, r.credits + amount))
end, {concurrency = concurrency})
print(string.format("%d of %d resellers below %d credits topped up by %d", #low, total, threshold, amount))
