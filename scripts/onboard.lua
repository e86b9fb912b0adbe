-- Onboard a batch of resellers: create the ones that do not exist yet, with starting
-- credits and a connection limit; skip (and report) the ones that already do.
--
--   nightshift run scripts/onboard.lua --module-path scripts/lib --arg names=anna,ben,chloe --arg credits=100 \
--       --arg connections=5 --allow resellers.list --allow resellers.new --max-credits 300
--
-- Arguments: names (comma-separated, required), credits (default 0), connections (default 1),
-- use_credits (yes/no, default yes).
-- nightshift: allow resellers.list, resellers.new

local common = require "common"
local names = common.list("names")
assert(#names > 0, "give the resellers to create with --arg names=a,b,c")
local credits = common.whole("credits", 0, 0)
local connections = common.whole("connections", 1, 1)
local use_credits = (args.use_credits or "yes") ~= "no"

local existing = {}
for _, r in ipairs(resellers.list()) do existing[r.username] = r.id end

local created, skipped = 0, 0
for _, name in ipairs(names) do
  if existing[name] then
    log.warn(string.format("%s already exists (id %d): skipped", name, existing[name]))
    skipped = skipped + 1
  else
    local id = resellers.new{
      name = name, credits = credits, max_allowed_connections = connections, use_credits = use_credits,
    }
    existing[name] = id
    print(string.format("created %s (id %s) with %d credits, %d connections", name, tostring(id), credits, connections))
    created = created + 1
  end
end
print(string.format("%d created, %d skipped", created, skipped))
