/// A reference to a Lua function held by the VM that made it.
///
/// Call it with `LuaVM.call(_:_:)` on the same VM; a reference from another VM is refused.
/// References live as long as their VM unless released with `LuaVM.release(_:)`.
public struct LuaFunctionRef: Sendable, Hashable {
    /// Identifies the VM (unique per process run).
    let vmID: UInt64
    /// The slot in the VM's registry.
    let ref: Int32
}
