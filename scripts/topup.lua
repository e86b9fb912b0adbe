-- Top up resellers whose credits fell below a threshold, several at a time.
--
--   nightshift run scripts/topup.lua --arg threshold=500 --arg amount=250 \
--       --allow resellers.list --allow resellers.add_credits --max-credits 5000 --max-credits-per-reseller 250
--
-- Arguments: threshold (default 500), amount (default 250), max_resellers (default: all),
-- concurrency (top-ups in flight at once; default: the run's --concurrency).
-- Only resellers that pay with credits (use_credits) and are enabled (status 1) are topped up,
-- the lowest first. The credit caps hold however many top-ups are in flight.
-- nightshift: allow resellers.list, resellers.add_credits

local threshold = math.tointeger(tonumber(args.threshold or "500"))
local amount = math.tointeger(tonumber(args.amount or "250"))
local limit = math.tointeger(tonumber(args.max_resellers or "0")) or 0
local concurrency = args.concurrency and math.tointeger(tonumber(args.concurrency))
assert(threshold and threshold >= 0, "threshold must be a whole number, 0 or more")
assert(amount and amount > 0, "amount must be a whole number above 0")
assert(args.concurrency == nil or (concurrency and concurrency > 0), "concurrency must be a whole number above 0")

local low = {}
for _, r in ipairs(resellers.list()) do
  if r.use_credits and r.status == 1 and r.credits < threshold then
    low[#low + 1] = r
  end
end
table.sort(low, function(a, b) return a.credits < b.credits end)
local total = #low
if limit > 0 then
  for i = #low, limit + 1, -1 do low[i] = nil end
end

tasks.map(low, function(r)
  resellers.add_credits(r.id, amount)
  log.info(string.format("topped up %s (id %d): %d -> %d", r.username, r.id, r.credits, r.credits + amount))
end, {concurrency = concurrency})
print(string.format("%d of %d resellers below %d credits topped up by %d", #low, total, threshold, amount))
