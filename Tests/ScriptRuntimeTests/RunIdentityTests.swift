import Foundation
import ScriptRuntime
import ScriptAPI
import RunRecords
import NightshiftConfig
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test("iso writes what Foundation's ISO 8601 style writes, for times across years and day ends")
    func matchesFoundation() {
        // Fractions that binary floating point holds exactly, so rounding cannot differ.
        let times: [TimeInterval] = [0, 951_782_400.5, 1_764_547_199.875, 1_798_761_600.125, 4_102_444_799.25]
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for time in times {
            let date = Date(timeIntervalSince1970: time)
            #expect(Timestamp.iso(date) == date.formatted(style))
        }
    }

    @Test("iso keeps whole milliseconds and drops the rest")
    func truncatesToMilliseconds() {
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 1_764_600_000.9996)) == "2025-12-01T14:40:00.999Z")
        #expect(Timestamp.iso(Date(timeIntervalSince1970: 1_764_600_001)) == "2025-12-01T14:40:01.000Z")
    }
}

@Suite("Run ids")
struct RunIDTests {
    @Test("a run id is 12 lowercase hex digits, and 10,000 of them are all different")
    func shapeAndUniqueness() {
        let ids = (0..<10_000).map { _ in RunIdentity.newRunID() }
        for id in ids.prefix(100) {
            #expect(id.count == 12 && id.allSatisfy { "0123456789abcdef".contains($0) }, "\(id)")
        }
        #expect(Set(ids).count == ids.count)
    }
}
