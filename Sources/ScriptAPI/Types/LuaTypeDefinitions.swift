/// Lua Language Server definitions (`---@meta`) of everything scripts see, so editors
/// complete and check `resellers.*`, `panel.call`, `tasks.*`, `json.*`, `log.*`, `args`, `sleep` and
/// `require`. Modules the operator writes are found by the language server through its own
/// `workspace.library` setting (see docs/scripting.md).
public enum LuaTypeDefinitions {
    /// The definitions file's text: the catalogue's groups, then everything else scripts see.
    public static var text: String { text(for: .standard) }

    /// The definitions for `catalogue`'s groups, then everything else scripts see.
    public static func text(for catalogue: APICatalogue) -> String {
        header + "\n" + catalogue.typeDefinitions + "\n\n" + rest
    }

    private static let header = """
        ---@meta nightshift
        -- Lua Language Server definitions for Nightshift scripts (nightshift types).
        -- Put this file in your workspace, or list it under "workspace.library" in .luarc.json.

        ---What a failed API call raises; `tostring(err)` is its message.
        ---@class nightshift.Error
        ---@field kind "not authorised"|"IP not allowed"|"panel refused"|"transport failure"|"timed out"|"outcome unknown"|"malformed response"|"response too large"|"invalid request"|"not granted"|"credit cap"|"declined"
        ---@field message string readable, starts with the endpoint
        ---@field endpoint string e.g. "resellers.add_credits"
        ---@field panel_message string? the panel's own words, e.g. "NOT EXISTS"
        """

    private static let rest = """
        json = {}
        ---The JSON null value (compare with `==`).
        json.null = {}
        ---@param value any
        ---@return string
        function json.encode(value) end
        ---@param text string
        ---@return any
        function json.decode(text) end

        log = {}
        ---@param ... any
        function log.debug(...) end
        ---@param ... any
        function log.info(...) end
        ---@param ... any
        function log.warn(...) end
        ---@param ... any
        function log.error(...) end

        ---The panel this run talks to, by name: `eu` for `[panels.eu]`, `default` for `[panel]` or a
        ---URL, `emulator` for `--emulator`. A fleet (`--panels`) runs the script once per panel.
        ---@type string
        panel.name = ""

        ---The run's `--arg k=v` arguments; values are strings.
        ---@type table<string, string>
        args = {}

        ---Waits, never past the run's deadline; other tasks go on meanwhile. Same as `tasks.sleep`.
        ---@param seconds number
        function sleep(seconds) end

        ---A task: a function running beside the script while its panel calls are in flight.
        ---@class nightshift.Task
        local Task = {}

        ---Waits until the task has finished. Returns `true` and everything its function
        ---returned, or `false` and the error it raised (wait never raises the task's error).
        ---@return boolean ok
        ---@return any ... the values, or the error
        function Task:wait() end

        ---Whether the task has finished.
        ---@return boolean
        function Task:done() end

        ---@class nightshift.MapOptions
        ---@field concurrency integer? items in progress at once (default: the panel's --concurrency)
        ---@field errors "raise"|"collect"|nil "raise" (default): the first error stops new items and is raised with its index; "collect": one {ok, value, error} per item

        ---@class nightshift.MapResult
        ---@field ok boolean
        ---@field value any
        ---@field error any

        ---Concurrency: tasks whose panel calls are in flight at the same time.
        tasks = {}

        ---Starts `fn(...)` as a task; it runs whenever the script waits (a panel call, a
        ---sleep, `task:wait()`, the end of the script). The script ends only once every task has.
        ---@param fn function
        ---@param ... any arguments for fn
        ---@return nightshift.Task
        function tasks.spawn(fn, ...) end

        ---Calls `fn(item, index)` for every item of `list`, `concurrency` at a time, and returns
        ---the results in input order.
        ---@param list any[]
        ---@param fn fun(item: any, index: integer): any
        ---@param options nightshift.MapOptions?
        ---@return any[]|nightshift.MapResult[]
        function tasks.map(list, fn, options) end

        ---Waits `seconds` while the other tasks go on; never past the run's deadline.
        ---@param seconds number
        function tasks.sleep(seconds) end

        ---Loads module `name` (`lib.format` is lib/format.lua or lib/format/init.lua) from the
        ---folders given with --module-path or [modules] paths, runs it once per run with the
        ---run's grant, and returns what it returned (true if nothing).
        ---@param name string letters, digits and _ in parts separated by dots
        ---@return any
        function require(name) end

        """
}
