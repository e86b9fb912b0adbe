// nightshift-bench: prints performance ratios against baselines measured in the same run.
// Each section lives in its own file; run one with `nightshift-bench SECTION`, all without.
import Foundation

let sections: [(name: String, run: () async throws -> Void)] = [
    ("lua", LuaBenchmarks.run),
    ("panel", PanelBenchmarks.run),
    ("run", RunBenchmarks.run),
    ("concurrency", ConcurrencyBenchmarks.run),
    ("plans", PlanBenchmarks.run),
    ("fleet", FleetBenchmarks.run),
    ("scheduler", SchedulerBenchmarks.run),
    ("console", ConsoleBenchmarks.run),
]

let wanted = Set(CommandLine.arguments.dropFirst())
for section in sections where wanted.isEmpty || wanted.contains(section.name) {
    print("== \(section.name) ==")
    try await section.run()
    print("")
}
