/// The Lua that builds the script-facing tables from the host functions: it gives error
/// objects their `tostring`, raises errors at the script's line, and turns JSON nulls into
/// the one `json.null`. It runs before the script; the host table it reads is removed.
enum Prelude {
    static let hostTable = "__nightshift_host"

    static let source = """
        local host = \(hostTable)
        \(hostTable) = nil
        local error, type, setmetatable, tostring, select, next, rawget = error, type, setmetatable, tostring, select, next, rawget
        local concat = table.concat

        local ErrorObject = {
          __name = "nightshift.error",
          __tostring = function(e) return rawget(e, "message") or "nightshift error" end,
        }

        local function wrap(f)
          return function(...)
            local ok, value = f(...)
            if ok then return value end
            if type(value) == "table" then setmetatable(value, ErrorObject) end
            error(value, 2)
          end
        end

        resellers = {
          new = wrap(host.new),
          update = wrap(host.update),
          add_credits = wrap(host.add_credits),
          list = wrap(host.list),
        }
        panel = { call = wrap(host.call) }

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
        local encode = wrap(host.encode)
        local decode = wrap(host.decode)
        json = {
          null = null,
          encode = function(value) return encode(value) end,
          decode = function(text) return denull(decode(text), 0) end,
        }

        local write = host.log
        local function logger(level)
          return function(...)
            local parts = {}
            for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
            write(level, concat(parts, " "))
          end
        end
        log = { debug = logger("debug"), info = logger("info"), warn = logger("warn"), error = logger("error") }

        """
}
