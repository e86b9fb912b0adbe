/// The Lua that builds the script-facing tables from the host functions: it puts the
/// catalogue's functions in their groups' tables, turns JSON nulls into the one `json.null`,
/// and builds `tasks` on the scheduler's primitives. Host functions raise their own errors
/// (a thrown Swift error, raised by the trampoline at the script's line: the VM's
/// `hostChunk` is this chunk, so its frames are never blamed). It runs before the
/// script; the host table it reads is removed. It returns the function that runs the
/// script's main chunk and then waits for its tasks, and that wait alone (for the REPL).
package enum Prelude {
    package static let hostTable = "__nightshift_host"
    /// The prelude's chunk name, which write locations pass over.
    package static let chunkName = "nightshift"

    package static let source = """
        local host = \(hostTable)
        \(hostTable) = nil
        local error, type, setmetatable, getmetatable, tostring, select, next, rawget = error, type, setmetatable, getmetatable, tostring, select, next, rawget
        local concat = table.concat

        -- The catalogue's groups (resellers, panel, ...): one table each, the host functions in it.
        local api_names = host.api_names
        for i = 1, #api_names do
          local full = api_names[i]
          local group, name = full:match("^([%w_]+)%.([%w_]+)$")
          local t = rawget(_ENV, group)
          if t == nil then
            t = {}
            rawset(_ENV, group, t)
          end
          t[name] = host[full]
        end
        -- The panel this run talks to, by name: a fleet runs the script once per panel.
        local panel_table = rawget(_ENV, "panel")
        if panel_table == nil then
          panel_table = {}
          rawset(_ENV, "panel", panel_table)
        end
        panel_table.name = host.panel_name

        local MARK = host.null_mark
        local null = setmetatable({ [MARK] = true }, {
          __name = "json.null",
          __tostring = function() return "json.null" end,
          __newindex = function() error("json.null cannot be changed", 2) end,
          __metatable = false,
        })
        local function denull(value, depth)
          if type(value) ~= "table" then return value end
          if rawget(value, MARK) then return null end
          if depth > 200 then return value end
          for k, v in next, value do
            if type(v) == "table" then value[k] = denull(v, depth + 1) end
          end
          return value
        end
        local decode = host["json.decode"]
        json = {
          null = null,
          encode = host["json.encode"],
          decode = function(text) return denull(decode(text), 0) end,
        }

        local write = host["log.log"]
        local function logger(level)
          return function(...)
            local parts = {}
            for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
            write(level, concat(parts, " "))
          end
        end
        log = { debug = logger("debug"), info = logger("info"), warn = logger("warn"), error = logger("error") }

        -- tasks: coroutines the host runs while their panel calls are in flight.
        local spawn_task, wait_task, join_tasks = host["tasks.spawn"], host["tasks.wait"], host["tasks.join"]
        local pack, unpack, pcall, rawlen, math_type = table.pack, table.unpack, pcall, rawlen, math.type
        local results = setmetatable({}, { __mode = "k" })  -- task -> pack(pcall(body))
        local ids = setmetatable({}, { __mode = "k" })      -- task -> id
        local unobserved = {}                               -- failed tasks nobody waited for

        local function message_of(e)
          local t = type(e)
          if t == "string" or t == "number" then return tostring(e) end
          if t == "table" then
            local m = rawget(e, "message")
            if type(m) == "string" then return m end
          end
          return "(error object is a " .. t .. " value)"
        end

        local function task_body(t, fn, ...)
          local r = pack(pcall(fn, ...))
          results[t] = r
          if not r[1] then unobserved[t] = true end
        end

        local Task = {}
        local TaskMeta = {
          __name = "nightshift.task",
          __index = Task,
          __tostring = function(t) return "task " .. tostring(ids[t]) end,
          __metatable = "nightshift.task",
        }

        function Task.wait(t)
          local id = ids[t]
          if id == nil then error("bad argument #1 to 'wait' (task expected, got " .. type(t) .. ")", 2) end
          local r = results[t]
          if r == nil then
            wait_task(id)
            r = results[t]
          end
          unobserved[t] = nil
          if r[1] then return true, unpack(r, 2, r.n) end
          return false, r[2]
        end

        function Task.done(t)
          if ids[t] == nil then error("bad argument #1 to 'done' (task expected, got " .. type(t) .. ")", 2) end
          return results[t] ~= nil
        end

        local function spawn(fn, ...)
          if type(fn) ~= "function" then
            error("bad argument #1 to 'spawn' (function expected, got " .. type(fn) .. ")", 2)
          end
          local t = setmetatable({}, TaskMeta)
          ids[t] = spawn_task(task_body, t, fn, ...)
          return t
        end

        local function map_error(i, e)
          if type(e) == "table" then
            local copy = {}
            for k, v in next, e do copy[k] = v end
            copy.index = i
            copy.message = "tasks.map: item " .. i .. " failed: " .. message_of(e)
            return setmetatable(copy, getmetatable(e))
          end
          return "tasks.map: item " .. i .. " failed: " .. message_of(e)
        end

        local default_concurrency = host.default_concurrency
        local note_capped = host["tasks.capped"]
        local function map(list, fn, opts)
          if type(list) ~= "table" then error("bad argument #1 to 'map' (table expected, got " .. type(list) .. ")", 2) end
          if type(fn) ~= "function" then error("bad argument #2 to 'map' (function expected, got " .. type(fn) .. ")", 2) end
          if opts ~= nil and type(opts) ~= "table" then
            error("bad argument #3 to 'map' (table expected, got " .. type(opts) .. ")", 2)
          end
          opts = opts or {}
          local concurrency = opts.concurrency
          if concurrency == nil then concurrency = default_concurrency end
          if math_type(concurrency) ~= "integer" or concurrency < 1 then
            error("bad argument #3 to 'map' (concurrency must be a whole number, 1 or more)", 2)
          end
          local collect = opts.errors == "collect"
          if not collect and opts.errors ~= nil and opts.errors ~= "raise" then
            error([[bad argument #3 to 'map' (errors must be "raise" or "collect")]], 2)
          end
          local n = rawlen(list)
          -- More at once than the run allows: the panel's cap holds, and the user is told once.
          if concurrency > default_concurrency and n > default_concurrency then note_capped(concurrency) end
          local out, next_index, failed_index, failure = {}, 1, nil, nil
          local function worker()
            while next_index <= n and not failed_index do
              local i = next_index
              next_index = i + 1
              local ok, value = pcall(fn, rawget(list, i), i)
              if collect then
                out[i] = ok and { ok = true, value = value } or { ok = false, error = value }
              elseif ok then
                out[i] = value
              elseif not failed_index then
                failed_index, failure = i, value
              end
            end
          end
          local workers = {}
          for w = 1, (concurrency < n and concurrency or n) do workers[w] = spawn(worker) end
          for w = 1, #workers do workers[w]:wait() end
          if failed_index then error(map_error(failed_index, failure), 2) end
          return out
        end

        local function join()
          join_tasks()
          local first, count = nil, 0
          for t in next, unobserved do
            count = count + 1
            if first == nil or ids[t] < ids[first] then first = t end
          end
          if first then
            local e = results[first][2]
            unobserved = {}
            local more = count > 1 and (" (and " .. (count - 1) .. " more)") or ""
            error("task " .. ids[first] .. " failed and nothing waited for it: " .. message_of(e) .. more, 0)
          end
        end

        tasks = { spawn = spawn, map = map, sleep = host["tasks.sleep"] }
        sleep = host["tasks.sleep"]

        -- require: modules from the operator's folders, each file run once per run.
        local find_module = host["require"]
        local by_name, by_path, loading, chain = {}, {}, {}, {}
        function require(name)
          if type(name) ~= "string" then
            error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
          end
          local value = by_name[name]
          if value ~= nil then return value end
          local chunk, path = find_module(name)  -- its errors name the require's line
          value = by_path[path]
          if value == nil then
            if loading[path] then
              error("cyclic require: " .. concat(chain, " -> ") .. " -> " .. name, 2)
            end
            loading[path] = true
            chain[#chain + 1] = name
            local ok, result = pcall(chunk, name, path)
            chain[#chain] = nil
            loading[path] = nil
            if not ok then error(result, 0) end
            if result == nil then value = true else value = result end
            by_path[path] = value
          end
          by_name[name] = value
          return value
        end

        return function(main, ...)
          local r = pack(main(...))
          join()
          return unpack(r, 1, r.n)
        end, join
        """
}
