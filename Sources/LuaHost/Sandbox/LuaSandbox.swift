/// Which standard library a VM opens. See docs/sandbox.md for the full list and the reasons.
public enum LuaSandbox: Sendable, Equatable {
    /// The allow-list for scripts: base functions without `dofile`, `loadfile`, `warn`,
    /// binary `load` and `collectgarbage` other than `"count"`; `setmetatable` without
    /// `__gc`; `string` without `dump` (pattern sizes bounded) with its metatable locked;
    /// `table`, `math`, `utf8`; `coroutine` without `close`; `os.time`, `os.clock`,
    /// `os.date`, `os.difftime`. No `io`, `package`, `require` or `debug`.
    case standard
    /// Every standard library, unchanged: for trusted code only (tools, benchmarks).
    case trusted
}
