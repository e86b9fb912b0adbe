import NightshiftCore
import Foundation
import LuaHost
import PanelAPI
import Testing
import TestScratch

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("audit log and run records")
struct AuditTests {
    @Test("a write is recorded with run id, script hash, endpoint, redacted parameters and the panel's answer")
    func writeRecord() async throws {
        let h = try await Harness.make()
        let result = try await h.run("resellers.add_credits(1, 5)", grant: writeGrant(.resellersAddCredits))
        let entry = try #require(try h.writes(result.runID).first)
        #expect(entry.endpoint == "resellers.add_credits")
        #expect(entry.parameters == "resellers.add_credits id=1&credits=5")
        #expect(entry.scriptHash == ContentHash.sha256(Array("resellers.add_credits(1, 5)".utf8)))
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
        #expect(record.status == .failed)
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

    @Test("a run recorded as running whose process is gone reads as crashed; a live one stays running")
    func crashedRuns() throws {
        let folder = Scratch.path("nightshift-test")
        let audit = try AuditLog(path: folder + "/audit.sqlite")
        let me = try #require(ProcessIdentity.current)
        let reused = ProcessIdentity(pid: me.pid, startTime: me.startTime + 1)
        for (id, process) in [("alive", me), ("reused", reused)] {
            try audit.startRun(
                RunRecord(
                    id: id, scriptPath: "s.lua", scriptHash: "h", arguments: "", grant: "g", mode: "live",
                    startedAt: "2026-01-01T00:00:0\(id.count % 10)Z", process: process))
        }
        let records = try audit.runs()
        #expect(records.first { $0.id == "alive" }?.status == .running)
        #expect(records.first { $0.id == "reused" }?.status == .crashed)
        #expect(try audit.runs(status: .crashed).map(\.id) == ["reused"])
        #expect(try audit.runs(status: .running).map(\.id) == ["alive"])
    }

    @Test("the audit log creates its folder 0700 and its database 0600")
    func fileModes() throws {
        let folder = Scratch.path("nightshift-test")
        _ = try AuditLog(path: folder + "/state/audit.sqlite")
        func mode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1) & 0o777
        }
        #expect(try mode(folder) == 0o700)
        #expect(try mode(folder + "/state") == 0o700)
        #expect(try mode(folder + "/state/audit.sqlite") == 0o600)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: folder + "/state/audit.sqlite" + suffix) {
            #expect(try mode(folder + "/state/audit.sqlite" + suffix) == 0o600)
        }
    }

    @Test("past maxOutput an output sink forwards one notice and nothing more, and keeps the notice in the record")
    func outputCap() {
        let forwarded = Locked<[String]>([])
        let sink = OutputSink(maxOutput: 10) { line in forwarded.mutate { $0.append(String(decoding: line.bytes, as: UTF8.self)) } }
        sink.write(stream: "print", Array("12345\n".utf8))
        sink.write(stream: "print", Array("67890\n".utf8))
        sink.write(stream: "print", Array("x\n".utf8))
        #expect(forwarded.value == ["12345\n", "output passed the run's limit of 10 bytes (--max-output); the rest is dropped\n"])
        #expect(sink.text.hasSuffix("[warn] output passed the run's limit of 10 bytes (--max-output); the rest is dropped\n"))
    }
}

/// A value shared with a `@Sendable` closure.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func mutate(_ change: (inout Value) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        change(&stored)
    }
}
