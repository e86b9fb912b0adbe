import LuaHost
import Testing

/// Limits small enough that hostile scripts end in milliseconds.
let testLimits = LuaLimits(instructions: 5_000_000, memory: 8 << 20, time: .seconds(10))

/// A VM with the standard sandbox and test limits whose `print` output is collected.
final class Harness {
    var printed: [String] = []
    let vm: LuaVM

    init(limits: LuaLimits = testLimits, sandbox: LuaSandbox = .standard) throws {
        let box = Output()
        vm = try LuaVM(sandbox: sandbox, limits: limits, output: { box.lines.append(String(decoding: $0, as: UTF8.self)) })
        output = box
    }

    private let output: Output
    var lines: [String] { output.lines }

    func run(_ source: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
        try vm.run(source, chunkName: "test.lua", arguments: arguments)
    }

    /// Runs `source` and returns the error it must raise.
    func failure(_ source: String) -> LuaError? {
        do {
            _ = try run(source)
            return nil
        } catch let error as LuaError {
            return error
        } catch {
            return nil
        }
    }

    /// Runs `source`, which must fail, expects its error's kind and message, and returns the
    /// error for further checks.
    @discardableResult
    func expectFailure(
        _ source: String, _ kind: LuaError.Kind, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) -> LuaError? {
        let error = failure(source)
        #expect(error?.kind == kind, "\(error?.message ?? "no error")", sourceLocation: sourceLocation)
        #expect(error?.message == message, sourceLocation: sourceLocation)
        return error
    }
}

final class Output {
    var lines: [String] = []
}
