import Foundation
import NightshiftCore
import Scheduler
import Testing

/// The scheduler writes the one status vocabulary: every status a run can end with reads back
/// from either store as itself (a text the enum did not know would read as `failed`).
@Suite("the scheduler's run statuses read back through RunStatus")
struct StatusRoundTripTests {
    @Test("every final status, written by finishing a run, reads back as itself", arguments: StoreKind.allCases)
    func everyStatus(kind: StoreKind) async throws {
        let dir = TemporaryDirectory()
        defer { withExtendedLifetime(dir) {} }
        let store = try await StoreUnderTest(kind).open(dir)
        let finals = RunStatus.allCases.filter(\.isFinal)
        for (index, status) in finals.enumerated() {
            let id = try #require(
                try await store.claim(job: "job", slot: 1_780_000_000 + Int64(index) * 60, kind: .scheduled, status: .queued))
            try await store.finish(id: id, status: status, at: 1_780_000_001 + Double(index) * 60)
        }
        let read = try await store.history(job: "job", limit: 100).sorted { $0.slot < $1.slot }.map(\.status)
        #expect(read == finals)
        await store.close()
    }
}
