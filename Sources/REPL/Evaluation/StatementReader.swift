import LuaHost

/// Turns input lines into a compiled chunk the way Lua's own `lua.c` does: first try
/// `return <line>` (so an expression prints its value), then the line as a statement; a
/// syntax error that ends at `<eof>` means the statement is not finished yet.
public struct StatementReader {
    /// What the lines read so far amount to.
    public enum Outcome {
        /// A complete chunk; `isExpression` when it came from the `return <line>` form.
        case chunk(LuaFunctionRef, source: String, isExpression: Bool)
        /// The statement continues on the next line.
        case incomplete
        /// A syntax error to show.
        case syntaxError(String)
    }

    /// The chunk name used in messages (`stdin:1: ...`, like lua.c).
    public var chunkName = "stdin"

    public init() {}

    /// Compiles `source` (the lines of one statement joined by newlines).
    public func compile(_ source: String, in vm: LuaVM) -> Outcome {
        if !source.contains("\n"), let chunk = try? vm.load("return " + source + ";", chunkName: chunkName) {
            return .chunk(chunk, source: source, isExpression: true)
        }
        do {
            let chunk = try vm.load(source, chunkName: chunkName)
            return .chunk(chunk, source: source, isExpression: false)
        } catch {
            if error.kind == .syntax, error.message.hasSuffix("<eof>") { return .incomplete }
            return .syntaxError(error.message)
        }
    }
}
