import CLuaShim

/// Stops a VM's current call from any thread: for Ctrl-C, or a deadline kept outside the VM.
///
/// The call ends at the next check (within a thousand instructions, or when a host function
/// returns) with `LuaLimit.interrupted`. Interrupting a VM that is not running makes its
/// next call start clean: each top-level call begins with the flag cleared.
public struct LuaInterrupter: Sendable {
    let control: LuaControl

    /// Asks the running call to stop.
    public func interrupt() {
        ns_interrupt(control.pointer)
    }

    /// Ends the running call as if its time limit had passed: for a deadline kept outside
    /// the VM (a process watchdog), so that the call reports the time limit, not an interrupt.
    public func expire() {
        ns_expire(control.pointer)
    }

    /// Whether a stop was asked for since the current call began: host functions that wait
    /// (for the panel, in `sleep`) poll it to give up early.
    public var isRequested: Bool {
        ns_interrupt_requested(control.pointer) != 0
    }
}

/// Owns the C control block; outlives the `lua_State` so late interrupts stay harmless.
final class LuaControl: @unchecked Sendable {
    // The block is written by the VM's thread and, for the interrupt flag only (atomic),
    // by any thread: that is why this box may be shared.
    let pointer: OpaquePointer

    init?() {
        guard let p = ns_control_new() else { return nil }
        pointer = p
    }

    deinit { ns_control_free(pointer) }
}
