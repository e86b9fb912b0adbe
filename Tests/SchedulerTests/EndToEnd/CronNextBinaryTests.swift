import Foundation
import Scheduler
import Testing

@Suite("nightshift cron next")
struct CronNextBinaryTests {
    @Test("`nightshift cron next` prints the engine's fire times for 960 generated expressions around DST changes, cronsim's wherever cronsim is the oracle",
          arguments: CronOracleTests.seeds)
    func binaryMatchesCronsim(seed: UInt64) throws {
        _ = try NightshiftBinary.require()
        let cases = CronOracleTests.generatedCases(seed: seed)
        let answers = try CronsimOracle.answers(cases)
        let results = ResultBox(count: cases.count)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for index in stride(from: worker, to: cases.count, by: 4) {
                let item = cases[index]
                let from = ISO8601.format(item.from, in: .utc)
                results.set(index, try? NightshiftBinary.run(
                    ["cron", "next", item.expr, "--from", from, "--count", String(item.count), "--tz", item.tz]))
            }
        }
        var agreed = 0
        for (index, (item, answer)) in zip(cases, answers).enumerated() {
            guard let result = results.get(index) else {
                Issue.record("could not run nightshift for '\(item.expr)'")
                continue
            }
            if answer.error != nil {
                #expect(result.status != 0, "cronsim rejects '\(item.expr)', nightshift accepted it")
                #expect(result.error.contains("cron: "), "'\(item.expr)': \(result.error)")
                continue
            }
            let lines = result.output.split(separator: "\n").map(String.init)
            // What the engine computes (CronOracleTests holds it to the oracles)...
            let zone = try ZoneRules(identifier: item.tz)
            let schedule = try Schedule(item.expr)
            let engine = FireTimes(schedule: schedule, zone: zone, after: item.from).prefix(item.count)
            #expect(lines == engine.map { ISO8601.format($0, in: zone) }, "'\(item.expr)' in \(item.tz) after \(item.from): \(result.error)")
            // ... and cronsim's own words wherever cronsim is the oracle.
            guard answer.hang != true, case .cron(let cron) = schedule,
                cron.isFixedTime || !CronOracleTests.offHourZones.contains(item.tz)
            else { continue }
            #expect(lines == answer.iso, "'\(item.expr)' in \(item.tz) after \(item.from) (seed \(seed)): \(result.error)")
            if lines == answer.iso { agreed += 1 }
        }
        #expect(agreed > 800)
    }

    @Test("a range with equal ends and a step fires on that value only: '0 12 * * 2-2/2' is Tuesdays")
    func equalEndsWithStep() throws {
        let result = try NightshiftBinary.run(
            ["cron", "next", "0 12 * * 2-2/2", "--count", "3", "--from", "2026-03-28T00:00:00Z", "--tz", "UTC"])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == "2026-03-31T12:00:00+00:00\n2026-04-07T12:00:00+00:00\n2026-04-14T12:00:00+00:00\n")
    }

    @Test("--from without an offset is read in --tz, and a bad field is reported with its number")
    func options() throws {
        let good = try NightshiftBinary.run(
            ["cron", "next", "0 3 * * *", "--from", "2026-03-08T01:00:00", "--tz", "Europe/Berlin", "--count", "2"])
        #expect(good.status == 0)
        #expect(good.output == "2026-03-08T03:00:00+01:00\n2026-03-09T03:00:00+01:00\n")
        let bad = try NightshiftBinary.run(["cron", "next", "0 0 32 * *", "--tz", "UTC"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("cron: field 3 (day of month) '32': value out of range 1-31"))
    }
}

/// Results written by concurrent workers.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(status: Int32, output: String, error: String)?]

    init(count: Int) { items = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: (status: Int32, output: String, error: String)?) {
        lock.lock()
        items[index] = value
        lock.unlock()
    }

    func get(_ index: Int) -> (status: Int32, output: String, error: String)? {
        lock.lock()
        defer { lock.unlock() }
        return items[index]
    }
}
