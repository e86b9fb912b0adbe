import CLua
import CLuaShim
import Foundation
import Synchronization

/// A Lua 5.4 virtual machine: a sandbox, limits, host functions, and values in and out.
///
/// Make one per run (it costs microseconds) so that nothing leaks between runs. A VM is used
/// from one thread at a time; only its `interrupter` may be used from other threads.
///
/// ```swift
/// let vm = try LuaVM(output: { line in print(String(decoding: line, as: UTF8.self), terminator: "") })
/// vm.register(LuaHostFunction("add") { args in .one(.integer(try args.integer(1) + args.integer(2))) }, as: "add")
/// let results = try vm.run("return add(2, 3)", chunkName: "example")  // [.integer(5)]
/// ```
public final class LuaVM {
    /// The library profile this VM was made with.
    public let sandbox: LuaSandbox
    /// Limits for each top-level call. Changing them takes effect at the next call.
    public var limits: LuaLimits {
        didSet { applyLimits() }
    }
    /// Where `print` writes: each call receives one line's bytes, newline included.
    public var output: ([UInt8]) -> Void
    /// Stops the running call from another thread.
    public let interrupter: LuaInterrupter

    let id: UInt64
    let control: LuaControl
    let main: OpaquePointer
    /// The thread running now: the main state, or the coroutine that called a host function.
    /// Kept behind a pointer so the hot call path pays no exclusivity checks.
    let thread: UnsafeMutablePointer<OpaquePointer>
    var current: OpaquePointer { thread.pointee }
    /// Host functions registered in this VM, kept alive for Lua's light userdata pointers.
    var bindings: [HostBinding] = []
    /// Top-level calls start a fresh budget; nested ones (from host functions) share it.
    var callDepth = 0
    /// When the current (or last) top-level call's time limit runs out; `nil` without one.
    /// Host functions that wait (`sleep`) use it to stay inside the limit.
    public internal(set) var callDeadline: ContinuousClock.Instant?
    /// Registry slots of the pre-made trip messages, released when limits change.
    private var tripMessageRefs: [Int32] = []
    /// The host's own limit that tripped (``trip(_:)``), and its message's registry slot.
    var hostLimit: LuaLimit?
    var hostTripRef: Int32?

    private static let nextID = Atomic<UInt64>(1)

    /// Makes a VM.
    /// - Parameters:
    ///   - sandbox: the library profile (`.standard` for scripts).
    ///   - limits: instruction, memory and time limits per top-level call.
    ///   - output: receives what `print` writes; standard output by default.
    public init(
        sandbox: LuaSandbox = .standard,
        limits: LuaLimits = LuaLimits(),
        output: @escaping ([UInt8]) -> Void = { LuaVM.writeStandardOutput($0) }
    ) throws(LuaError) {
        LuaVM.installDispatch
        guard let control = LuaControl(), let state = ns_newstate(control.pointer, 1000) else {
            throw LuaError(.memory, "cannot create a Lua state: out of memory")
        }
        self.sandbox = sandbox
        self.limits = limits
        self.output = output
        self.control = control
        self.main = state
        self.thread = .allocate(capacity: 1)
        self.thread.initialize(to: state)
        self.interrupter = LuaInterrupter(control: control)
        self.id = LuaVM.nextID.add(1, ordering: .relaxed).oldValue
        try openLibraries()
        applyLimits()
    }

    deinit {
        lua_close(main)
        thread.deallocate()
    }

    /// Writes bytes to the process's standard output.
    public static func writeStandardOutput(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Bytes the VM holds now (live data and garbage not yet collected).
    public var memoryUsed: Int { Int(ns_memory_used(control.pointer)) }

    /// Instructions run by the current or last top-level call (counted per thousand).
    public var instructionsUsed: Int64 { ns_instructions_used(control.pointer) }

    /// The embedder's own chunk (a prelude of Lua wrappers around host functions): an error
    /// a host function raises as text names the line of its first caller outside that chunk,
    /// so the script's line is blamed, not the wrapper's. Nil: the direct caller's line.
    public var hostChunk: String? {
        didSet {
            if let hostChunk {
                hostChunk.withCString { ns_set_host_chunk(control.pointer, $0) }
            } else {
                ns_set_host_chunk(control.pointer, nil)
            }
        }
    }

    private func openLibraries() throws(LuaError) {
        let L = main
        ns_enter_host(control.pointer)
        defer { ns_leave_host(control.pointer) }
        if sandbox == .standard {
            lua_pushcclosure(L, ns_open_sandbox, 0)
        } else {
            lua_pushcclosure(L, ns_open_full, 0)
        }
        let writer = LuaHostFunction("print") { [unowned self] args in
            var line = try args.bytes(1)
            line.append(0x0A)
            self.output(line)
            return .none
        }
        pushHostFunction(writer, on: L)
        let status = ns_protected_call(L, 1, 0)
        if status != LUA_OK {
            lua_settop(L, 0)
            throw LuaError(.memory, "cannot open the Lua libraries (status \(status))")
        }
    }

    private func applyLimits() {
        let c = control.pointer
        ns_set_memory_limit(c, limits.memory.map { max(0, $0) } ?? 0)
        ns_set_instruction_limit(c, limits.instructions ?? 0)
        // The messages a trip raises are made now, so that raising never needs memory.
        let messages: [(ns_trip, LuaLimit)] = [
            (NS_TRIP_INSTRUCTIONS, .instructions(limits.instructions ?? 0)),
            (NS_TRIP_MEMORY, .memory(limits.memory ?? 0)),
            (NS_TRIP_DEADLINE, .time(limits.time ?? .zero)),
            (NS_TRIP_INTERRUPT, .interrupted),
        ]
        ns_enter_host(c)
        defer { ns_leave_host(c) }
        for ref in tripMessageRefs { luaL_unref(main, ns_registryindex(), ref) }
        tripMessageRefs = messages.map { trip, limit in
            lua_pushstring(main, limit.description)
            let ref = luaL_ref(main, ns_registryindex())
            ns_set_trip_message(c, trip, ref)
            return ref
        }
    }

    /// The limit behind a trip, for errors.
    func limit(for trip: ns_trip) -> LuaLimit {
        switch trip {
        case NS_TRIP_INSTRUCTIONS: .instructions(limits.instructions ?? 0)
        case NS_TRIP_MEMORY: .memory(limits.memory ?? 0)
        case NS_TRIP_DEADLINE: .time(limits.time ?? .zero)
        case NS_TRIP_HOST: hostLimit ?? .interrupted
        default: .interrupted
        }
    }
}
