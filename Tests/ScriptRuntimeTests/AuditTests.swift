import Foundation
import LuaHost
import PanelAPI
import Testing

@testable import ScriptRuntime

@Suite("audit log and run records")
struct AuditTests {
    @Test("a write is recorded with run id, script hash, endpoint, redacted parameters and the panel's answer")
    func writeRecord() async throws {
        let h = try await Harness.make()
        let result = try await h.run("resellers.add_credits(1, 5)", grant: writeGrant(.resellersAddCredits))
        let entry = try #require(try h.writes(result.runID).first)
        #expect(entry.endpoint == "resellers.add_credits")
        #expect(entry.parameters == "resellers.add_credits id=1&credits=5")
        #expect(entry.scriptHash == SHA256.hex(Array("resellers.add_credits(1, 5)".utf8)))
        #expect(entry.mode == "live")
        #expect(entry.outcome == AuditOutcome.done)
        #expect(entry.answer == "{\"result\":true}")
    }

    @Test("the run record keeps arguments, grant, status, output and error")
    func runRecord() async throws {
        let h = try await Harness.make()
        let result = try await h.run("print('hello') error('boom')", arguments: [("k", "v")])
        let record = try #require(try h.audit.runs().first { $0.id == result.runID })
        #expect(record.arguments == "k=v")
        #expect(record.grant == Grant().description)
        #expect(record.status == "failed")
        #expect(record.output == "hello\n")
        #expect(record.error == "test.lua:1: boom")
        #expect(record.endedAt != nil)
    }

    @Test("the API key appears in no audit record, run record or error, even when a script prints a panel error")
    func keyNeverRecorded() async throws {
        let h = try await Harness.make()
        let result = try await h.run("""
            resellers.add_credits(1, 5)
            local ok, err = pcall(resellers.add_credits, 'nobody', 1)
            print(tostring(err), json.encode(resellers.list()))
            error(err)
            """, grant: writeGrant(.resellersAddCredits))
        #expect(result.status == .failed)
        for name in ["audit.sqlite", "audit.sqlite-wal"] {
            if let data = FileManager.default.contents(atPath: h.folder + "/" + name) {
                #expect(!String(decoding: data, as: UTF8.self).contains(testKey))
            }
        }
        #expect(!(result.error ?? "").contains(testKey))
        #expect(!result.output.contains(testKey))
    }
}
