import Foundation

/// Runs the Python `cronsim` package (installed by `scripts/test`) as an independent oracle.
enum CronsimOracle {
    struct Case: Codable {
        var expr: String
        var tz: String
        var from: Int64
        var count: Int
    }

    /// For each case: nil if cronsim rejects the expression, else the fire times strictly
    /// after `from`, as (epoch seconds, ISO-8601 in the zone).
    struct Answer: Codable {
        var error: String?
        var times: [Int64]
        var iso: [String]
        /// cronsim did not answer within 2 s of CPU time: it loops for ever on some cases
        /// (see ``hangs``), so there is nothing to compare with.
        var hang: Bool?
    }

    // cronsim can return a fixed-time result before its start when the start lies in the
    // second pass of a repeated hour; the contract is "strictly after", so those are dropped.
    //
    // cronsim (2.8 and 2.9) never returns for a few cases: a fixed minute with a stepped hour
    // across Chatham's 45-minute fall-back (`58 */3 * * *` from 2026-04-04T05:00:00Z) loops in
    // its advance_minute/advance_hour pair. Each case gets 2 s of CPU time (it needs
    // milliseconds); one that runs out is answered `hang` instead of hanging the suite.
    static let script = """
        import json, signal, sys
        from datetime import datetime
        from zoneinfo import ZoneInfo
        from cronsim import CronSim, CronSimError
        class Hang(Exception):
            pass
        def on_alarm(*_):
            raise Hang()
        signal.signal(signal.SIGVTALRM, on_alarm)
        # The test process starts us with most signals blocked; this one must get through.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGVTALRM})
        out = []
        for case in json.load(sys.stdin):
            tz = ZoneInfo(case["tz"])
            start = datetime.fromtimestamp(case["from"], tz)
            signal.setitimer(signal.ITIMER_VIRTUAL, 2)
            try:
                try:
                    it = CronSim(case["expr"], start)
                except CronSimError as e:
                    out.append({"error": str(e), "times": [], "iso": []})
                    continue
                times, iso = [], []
                for t in it:
                    if int(t.timestamp()) <= case["from"]:
                        continue
                    times.append(int(t.timestamp()))
                    # Re-read from the instant: an imaginary wall time prints as the real one.
                    iso.append(datetime.fromtimestamp(int(t.timestamp()), tz).isoformat())
                    if len(times) == case["count"]:
                        break
                out.append({"error": None, "times": times, "iso": iso})
            except Hang:
                out.append({"error": None, "times": [], "iso": [], "hang": True})
            finally:
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        json.dump(out, sys.stdout)
        """


    static func answers(_ cases: [Case]) throws -> [Answer] {
        let data = try Python.run(
            script, input: try JSONEncoder().encode(cases),
            hint: "python3 cronsim oracle failed (is cronsim installed? pip install cronsim)")
        return try JSONDecoder().decode([Answer].self, from: data)
    }
}

/// A small deterministic generator (SplitMix64) so generated cases are the same every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates cron expressions in cronie's syntax, biased towards the hours DST moves.
enum CronGenerator {
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func randomCase(_ name: String, using g: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<3, using: &g) {
        case 0: return name.uppercased()
        case 1: return name.prefix(1).uppercased() + name.dropFirst()
        default: return name
        }
    }

    static func field(_ index: Int, using g: inout SeededGenerator) -> String {
        let ranges = [0...59, 0...23, 1...31, 1...12, 0...7]
        let range = ranges[index]
        func value() -> String {
            if index == 1, Bool.random(using: &g) { return String(Int.random(in: 0...4, using: &g)) }
            if index == 3, Int.random(in: 0..<3, using: &g) == 0 {
                return randomCase(monthNames[Int.random(in: 0..<12, using: &g)], using: &g)
            }
            if index == 4, Int.random(in: 0..<3, using: &g) == 0 {
                return randomCase(dayNames[Int.random(in: 0..<7, using: &g)], using: &g)
            }
            return String(Int.random(in: range, using: &g))
        }
        func number() -> Int { Int.random(in: range, using: &g) }
        func term() -> String {
            switch Int.random(in: 0..<8, using: &g) {
            case 0, 1: return value()
            case 2:
                let a = number(), b = number()
                return "\(min(a, b))-\(max(a, b))"
            case 3:
                let a = number(), b = number()
                return "\(min(a, b))-\(max(a, b))/\(Int.random(in: 1...7, using: &g))"
            case 4: return "*/\(Int.random(in: 1...(range.count / 2 + 1), using: &g))"
            case 5:
                // A range with equal ends and a step: cronie reads `a-a/n` as a alone.
                let a = number()
                return "\(a)-\(a)/\(Int.random(in: 1...7, using: &g))"
            case 6:
                // A step larger than the range it divides: the range's first value alone.
                let a = number(), b = number()
                return "\(min(a, b))-\(max(a, b))/\(range.count + Int.random(in: 0...5, using: &g))"
            default: return "\(number())/\(Int.random(in: 1...20, using: &g))"
            }
        }
        // Day and month fields are mostly `*` so that most expressions fire often.
        let starWeight = index >= 2 ? 6 : 3
        let roll = Int.random(in: 0..<10, using: &g)
        if roll < starWeight { return "*" }
        if roll == 9 { return (0..<Int.random(in: 2...3, using: &g)).map { _ in term() }.joined(separator: ",") }
        return term()
    }

    static func expression(using g: inout SeededGenerator) -> String {
        (0..<5).map { field($0, using: &g) }.joined(separator: " ")
    }
}
