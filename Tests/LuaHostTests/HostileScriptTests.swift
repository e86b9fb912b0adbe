import LuaHost
import Testing

/// What must happen to a hostile script.
enum Outcome: Sendable, CustomStringConvertible {
    /// Refused with a runtime error whose message contains the text.
    case refused(String)
    /// Stopped by this limit.
    case limit(LuaLimit)
    /// Runs to the end inside the sandbox and returns exactly these values.
    case contained([LuaValue])
    /// Its result cannot cross to the host: a conversion error with this message.
    case unconvertible(String)

    var description: String {
        switch self {
        case .refused(let m): "refused: \(m)"
        case .limit(let l): "limit: \(l)"
        case .contained(let v): "contained: \(v)"
        case .unconvertible(let m): "unconvertible: \(m)"
        }
    }
}

struct Hostile: Sendable, CustomTestStringConvertible {
    let group: String
    let name: String
    let source: String
    let outcome: Outcome
    var limits: LuaLimits = testLimits

    var testDescription: String { "\(group): \(name)" }
}

let instructionLimit = LuaLimit.instructions(5_000_000)
let memoryLimit = LuaLimit.memory(8 << 20)
let nilCall = "attempt to call a nil value"
let nilIndex = "attempt to index a nil value"

let hostileScripts: [Hostile] = [
    // Escaping to the OS
    Hostile(group: "os escape", name: "io.open", source: "return io.open('/etc/passwd')", outcome: .refused("\(nilIndex) (global 'io')")),
    Hostile(group: "os escape", name: "os.execute", source: "os.execute('id')", outcome: .refused("\(nilCall) (field 'execute')")),
    Hostile(group: "os escape", name: "os.exit", source: "os.exit(1)", outcome: .refused("\(nilCall) (field 'exit')")),
    Hostile(group: "os escape", name: "os.getenv", source: "return os.getenv('HOME')", outcome: .refused("\(nilCall) (field 'getenv')")),
    Hostile(group: "os escape", name: "os.remove", source: "os.remove('/tmp/x')", outcome: .refused("\(nilCall) (field 'remove')")),
    Hostile(group: "os escape", name: "require", source: "local os = require('os')", outcome: .refused("\(nilCall) (global 'require')")),
    Hostile(group: "os escape", name: "package.loadlib", source: "package.loadlib('libc.so.6', 'system')", outcome: .refused("\(nilIndex) (global 'package')")),
    Hostile(group: "os escape", name: "dofile", source: "dofile('/etc/passwd')", outcome: .refused("\(nilCall) (global 'dofile')")),
    Hostile(group: "os escape", name: "loadfile", source: "loadfile('/etc/passwd')", outcome: .refused("\(nilCall) (global 'loadfile')")),
    Hostile(group: "os escape", name: "debug.getregistry", source: "return debug.getregistry()", outcome: .refused("\(nilIndex) (global 'debug')")),
    Hostile(group: "os escape", name: "only the four os functions exist", source: "local n = {} for k in pairs(os) do n[#n+1] = k end table.sort(n) return table.concat(n, ',')", outcome: .contained(["clock,date,difftime,time"])),
    Hostile(group: "os escape", name: "warn", source: "warn('@on')", outcome: .refused("\(nilCall) (global 'warn')")),

    // Loading bytecode
    Hostile(group: "bytecode", name: "string.dump", source: "return load(string.dump(function() end))", outcome: .refused("\(nilCall) (field 'dump')")),
    Hostile(group: "bytecode", name: "dump through the string metatable", source: "return ('x').dump", outcome: .contained([.nil])),
    Hostile(group: "bytecode", name: "binary chunk with mode 'b'", source: "return load('\\27Lua\\84\\0', 'x', 'b')", outcome: .contained([.nil, "attempt to load a binary chunk (mode is 't')"])),
    Hostile(group: "bytecode", name: "binary chunk with mode 'bt'", source: "return load('\\27Lua\\84\\0', 'x', 'bt')", outcome: .contained([.nil, "attempt to load a binary chunk (mode is 't')"])),
    Hostile(group: "bytecode", name: "binary chunk from a reader function", source: "local done = false return load(function() if done then return nil end done = true return '\\27Lua' end)", outcome: .contained([.nil, "attempt to load a binary chunk (mode is 't')"])),
    Hostile(group: "bytecode", name: "loaded text sees the sandbox, not the host's globals", source: "return load('return io, os.execute, print ~= nil')()", outcome: .contained([.nil, .nil, true])),

    // Tampering with shared state
    Hostile(group: "shared state", name: "string metatable is locked", source: "return getmetatable('')", outcome: .contained(["string"])),
    Hostile(group: "shared state", name: "string metatable cannot be replaced", source: "setmetatable('', {})", outcome: .refused("bad argument #1 to 'setmetatable' (table expected, got string)")),
    Hostile(group: "shared state", name: "string __index cannot be reached", source: "getmetatable('').__index = {}", outcome: .refused("attempt to index a string value")),
    Hostile(group: "shared state", name: "collectgarbage('stop')", source: "collectgarbage('stop')", outcome: .refused("only \"count\" is allowed in the sandbox (got \"stop\")")),
    Hostile(group: "shared state", name: "collectgarbage() full collection", source: "collectgarbage()", outcome: .refused("only \"count\" is allowed in the sandbox (got \"collect\")")),
    Hostile(group: "shared state", name: "collectgarbage('count') works", source: "return collectgarbage('count') > 0", outcome: .contained([true])),
    Hostile(group: "shared state", name: "print survives a replaced tostring", source: "tostring = nil print(42) return 'ok'", outcome: .contained(["ok"])),
    Hostile(group: "shared state", name: "a metatable on _G does not affect host reads", source: "setmetatable(_G, {__index = function() while true do end end}) return rawget(_G, 'nothing')", outcome: .contained([.nil])),

    // CPU
    Hostile(group: "cpu", name: "while true", source: "while true do end", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "loop caught by pcall in a loop", source: "while true do pcall(function() while true do end end) end", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "limit swallowed by pcall then return", source: "pcall(function() while true do end end) return 'swallowed'", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "xpcall handler that loops", source: "xpcall(function() while true do end end, function() while true do end end)", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "xpcall handler that swallows", source: "local ok = xpcall(function() while true do end end, function() return 'fine' end) while not ok do end", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "error handler that recurses", source: "local h h = function() return xpcall(error, h) end xpcall(error, h) while true do end", outcome: .limit(instructionLimit)),
    Hostile(group: "cpu", name: "wall clock without an instruction limit", source: "while true do end", outcome: .limit(.time(.milliseconds(200))), limits: LuaLimits(instructions: nil, memory: 8 << 20, time: .milliseconds(200))),

    // Memory
    Hostile(group: "memory", name: "growing table", source: "local t = {} for i = 1, 1e9 do t[i] = i end", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "huge string.rep", source: "return #string.rep('x', 1e9)", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "doubling concatenation", source: "local s = 'x' while true do s = s .. s end", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "memory error swallowed by pcall", source: "pcall(string.rep, 'x', 1e9) return 'swallowed'", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "many small strings", source: "local t = {} for i = 1, 1e8 do t[#t + 1] = tostring(i) .. 'padding' end", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "table.concat of a large table", source: "local t = {} for i = 1, 2e5 do t[i] = 'abcdefghij' end for i = 1, 100 do t = {table.concat(t), table.concat(t)} end", outcome: .limit(memoryLimit)),
    Hostile(group: "memory", name: "garbage is collected, not counted forever", source: "for i = 1, 200 do local s = string.rep('x', 1e5) end return 'ok'", outcome: .contained(["ok"])),

    // C stack
    Hostile(group: "c stack", name: "non-tail recursion", source: "local function f() return 1 + f() end return f()", outcome: .limit(memoryLimit)),
    Hostile(group: "c stack", name: "infinite tail recursion", source: "local function f() return f() end return f()", outcome: .limit(instructionLimit)),
    Hostile(group: "c stack", name: "pcall nesting", source: "local function f() return pcall(f) end return (f())", outcome: .contained([true])),
    Hostile(group: "c stack", name: "__index recursion", source: "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x", outcome: .refused("stack overflow")),
    Hostile(group: "c stack", name: "gsub callback recursion", source: "local function f(s) return (s:gsub('.', f)) end return f('aaaa')", outcome: .refused("stack overflow")),
    Hostile(group: "c stack", name: "deeply nested source", source: "return load('return ' .. ('{'):rep(1e5) .. ('}'):rep(1e5))", outcome: .contained([.nil, "C stack overflow"])),
    Hostile(group: "c stack", name: "oversized pattern", source: "return string.find('aaa', ('a?'):rep(600))", outcome: .refused("pattern too long (1024 bytes at most in the sandbox, got 1200)")),

    // Coroutines
    Hostile(group: "coroutines", name: "coroutine.close is absent", source: "return coroutine.close", outcome: .contained([.nil])),
    Hostile(group: "coroutines", name: "loop inside a coroutine", source: "coroutine.wrap(function() while true do end end)()", outcome: .limit(instructionLimit)),
    Hostile(group: "coroutines", name: "resume swallowing the limit in a loop", source: "while true do coroutine.resume(coroutine.create(function() while true do end end)) end", outcome: .limit(instructionLimit)),
    Hostile(group: "coroutines", name: "nested coroutines", source: "local function nest(n) if n == 0 then while true do end end return coroutine.wrap(function() return nest(n - 1) end)() end nest(50)", outcome: .limit(instructionLimit)),
    Hostile(group: "coroutines", name: "yield across a C boundary", source: "coroutine.wrap(function() print(setmetatable({}, {__tostring = function() coroutine.yield() end})) end)()", outcome: .refused("attempt to yield across a C-call boundary")),
    Hostile(group: "coroutines", name: "suspended coroutine with a pending <close>", source: "local co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() end}) coroutine.yield() end) coroutine.resume(co) return coroutine.status(co)", outcome: .contained(["suspended"])),

    // Finalizers and <close>
    Hostile(group: "finalizers", name: "__gc at setmetatable", source: "setmetatable({}, {__gc = function() while true do end end})", outcome: .refused("'__gc' is not allowed in the sandbox")),
    Hostile(group: "finalizers", name: "__gc added after setmetatable never runs", source: "local mt = {} local t = setmetatable({}, mt) mt.__gc = function() while true do end end t = nil return 'ok'", outcome: .contained(["ok"])),
    Hostile(group: "finalizers", name: "looping <close> handler during a limit", source: "local x <close> = setmetatable({}, {__close = function() while true do end end}) while true do end", outcome: .limit(instructionLimit)),
    Hostile(group: "finalizers", name: "<close> handler that catches the limit", source: "local x <close> = setmetatable({}, {__close = function() pcall(function() while true do end end) end}) while true do end", outcome: .limit(instructionLimit)),
    Hostile(group: "finalizers", name: "<close> handler that raises", source: "do local x <close> = setmetatable({}, {__close = function() error('in close', 0) end}) end", outcome: .refused("in close")),

    // Error objects
    Hostile(group: "error objects", name: "__tostring that loops", source: "error(setmetatable({}, {__tostring = function() while true do end end}))", outcome: .refused("(error object is a table value)")),
    Hostile(group: "error objects", name: "__tostring that fails", source: "error(setmetatable({}, {__tostring = function() error('boom') end}))", outcome: .refused("(error object is a table value)")),
    Hostile(group: "error objects", name: "__index that loops", source: "error(setmetatable({}, {__index = function() while true do end end}))", outcome: .refused("(error object is a table value)")),
    Hostile(group: "error objects", name: "cyclic error object", source: "local t = {} t.self = t error(t)", outcome: .refused("(error object is a table value)")),
    Hostile(group: "error objects", name: "nil error", source: "error(nil)", outcome: .refused("(error object is a nil value)")),
    Hostile(group: "error objects", name: "thread as error", source: "error(coroutine.create(print))", outcome: .refused("(error object is a thread value)")),
    Hostile(group: "error objects", name: "structured error keeps its message", source: "error({message = 'structured', code = 7})", outcome: .refused("structured")),

    // Values handed to the host
    Hostile(group: "values to host", name: "__pairs that loops is not used", source: "return setmetatable({1}, {__pairs = function() while true do end end})", outcome: .contained([[1]])),
    Hostile(group: "values to host", name: "__index that loops is not used", source: "return setmetatable({}, {__index = function() while true do end end, __len = function() while true do end end})", outcome: .contained([.table(LuaTable())])),
    Hostile(group: "values to host", name: "cycle", source: "local t = {} t[1] = t return t", outcome: .unconvertible("table contains a cycle")),
    Hostile(group: "values to host", name: "depth", source: "local t = {} for i = 1, 1000 do t = {t} end return t", outcome: .unconvertible("table nested deeper than 64 levels")),
    Hostile(group: "values to host", name: "thread", source: "return coroutine.running()", outcome: .unconvertible("cannot convert a thread value")),
    Hostile(group: "values to host", name: "raw bytes", source: "return '\\0\\255'", outcome: .contained([.string(LuaString(bytes: [0, 255]))])),
]

@Suite("Hostile scripts, grouped by what they attack")
struct HostileScriptTests {
    @Test("the suite has at least 40 scripts")
    func enough() {
        #expect(hostileScripts.count >= 40)
    }

    @Test("each hostile script gets exactly its outcome", arguments: hostileScripts)
    func hostile(_ script: Hostile) throws {
        let h = try Harness(limits: script.limits)
        let result: Result<[LuaValue], LuaError>
        do {
            result = .success(try h.run(script.source))
        } catch let error as LuaError {
            result = .failure(error)
        }
        switch (script.outcome, result) {
        case (.contained(let expected), .success(let values)):
            #expect(values == expected)
        case (.refused(let text), .failure(let error)):
            #expect(error.kind == .runtime)
            #expect(error.message.contains(text), "message: \(error.message)")
        case (.limit(let limit), .failure(let error)):
            #expect(error.kind == .limit(limit), "got \(error.kind): \(error.message)")
            #expect(error.message == limit.description)
        case (.unconvertible(let text), .failure(let error)):
            #expect(error.kind == .conversion)
            #expect(error.message == text)
        default:
            Issue.record("expected \(script.outcome), got \(result)")
        }
        // The VM stays usable after whatever happened.
        #expect(try h.run("return 1 + 1") == [2])
    }
}
