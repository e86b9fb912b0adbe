import CLuaShim
import Foundation
@_spi(Benchmarks) import LuaHost

/// LuaHost against plain C, measured in the same process: call cost, VM lifecycle, conversion.
enum LuaBenchmarks {
    static func run() async throws {
        try callCost()
        try lifecycle()
        try conversion()
    }

    /// Best of `rounds` timings of `body`, in seconds.
    static func best(rounds: Int = 7, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        return best
    }

    static func callCost() throws {
        let calls = 1_000_000
        let rounds = 25
        let vm = try LuaVM(limits: .none)
        vm.register(LuaHostFunction("swift_add") { args in .one(.integer(try args.integer(1) &+ args.integer(2))) }, as: "swift_add")
        vm.register(cFunction: ns_bench_add, as: "c_add")
        func loop(_ body: String) throws -> LuaFunctionRef {
            try vm.load("local f = ... local x = 0 for i = 1, \(calls) do \(body) end return x", chunkName: "bench")
        }
        let withCall = try loop("x = f(i, 1)")
        let empty = try loop("x = i + 1")
        let swiftFunction = try vm.global("swift_add")
        let cFunction = try vm.global("c_add")
        guard try vm.call(withCall, [swiftFunction]) == [.integer(Int64(calls) + 1)],
            try vm.call(withCall, [cFunction]) == [.integer(Int64(calls) + 1)]
        else { throw BenchmarkError("the add functions disagree") }

        // Interleaved rounds, best of each: a busy machine slows all three alike.
        var loopTime = Double.infinity, swiftTime = Double.infinity, cTime = Double.infinity
        for _ in 0..<rounds {
            loopTime = min(loopTime, try best(rounds: 1) { _ = try vm.call(empty, [cFunction]) })
            swiftTime = min(swiftTime, try best(rounds: 1) { _ = try vm.call(withCall, [swiftFunction]) })
            cTime = min(cTime, try best(rounds: 1) { _ = try vm.call(withCall, [cFunction]) })
        }
        let swiftNs = (swiftTime - loopTime) / Double(calls) * 1e9
        let cNs = (cTime - loopTime) / Double(calls) * 1e9
        print("call Lua -> function (2 integer args, 1 result), \(calls) calls, best of \(rounds) interleaved rounds:")
        print(String(format: "  Swift host function  %6.1f ns/call (%.1f ns with the loop)", swiftNs, swiftTime / Double(calls) * 1e9))
        print(String(format: "  C function           %6.1f ns/call (%.1f ns with the loop)", cNs, cTime / Double(calls) * 1e9))
        print(String(format: "  ratio Swift / C      %6.2f   (target <= 1.30; with the loop: %.2f)", swiftNs / cNs, swiftTime / cTime))
    }

    static func lifecycle() throws {
        let count = 2_000
        let chunk = "return 1 + 1"
        var sink = 0
        let swiftTime = try best {
            for _ in 0..<count {
                let vm = try LuaVM(sandbox: .standard, output: { _ in })
                if case .integer(let v)? = try vm.run(chunk).first { sink &+= Int(v) }
            }
        }
        let cTime = best {
            for _ in 0..<count { sink &+= Int(ns_bench_plain_vm(chunk)) }
        }
        guard sink == 4 * count * 7 else { throw BenchmarkError("a VM run returned the wrong value") }
        print("make a VM, run `\(chunk)`, close it; \(count) times, best of 7:")
        print(String(format: "  LuaVM (sandboxed, limits)          %6.1f us", swiftTime / Double(count) * 1e6))
        print(String(format: "  plain C (newstate, openlibs, pcall) %6.1f us", cTime / Double(count) * 1e6))
        print(String(format: "  ratio LuaVM / C                    %6.2f   (target <= 2.00)", swiftTime / cTime))
    }

    static func conversion() throws {
        let rows = 10_000
        let records: [LuaValue] = (0..<rows).map { i in
            var row = LuaTable()
            row["id"] = .integer(Int64(i))
            row["username"] = .string(LuaString("reseller_\(i)"))
            row["credits"] = .integer(Int64(i % 500))
            row["max_allowed_connections"] = .integer(Int64(i % 7 + 1))
            row["use_credits"] = .boolean(i % 3 != 0)
            row["status"] = "active"
            row["created_at"] = .integer(1_700_000_000 + Int64(i))
            row["ratio"] = .number(Double(i) / 7)
            return .table(row)
        }
        let list = LuaValue.table(LuaTable(array: records))
        let vm = try LuaVM(limits: LuaLimits(instructions: nil, memory: nil, time: nil))
        let count = try vm.load("local t = ... stored = t return #t", chunkName: "bench")
        let fetch = try vm.load("return stored", chunkName: "bench")
        guard try vm.call(count, [list]) == [.integer(Int64(rows))], try vm.call(fetch) == [list] else {
            throw BenchmarkError("the list did not round-trip")
        }
        let toLua = try best(rounds: 5) { _ = try vm.call(count, [list]) }
        let toSwift = try best(rounds: 5) { _ = try vm.call(fetch) }
        print("convert a \(rows)-row list of 8-field records, best of 5:")
        print(String(format: "  Swift -> Lua  %8.1f ms  %10.0f rows/s", toLua * 1e3, Double(rows) / toLua))
        print(String(format: "  Lua -> Swift  %8.1f ms  %10.0f rows/s", toSwift * 1e3, Double(rows) / toSwift))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
