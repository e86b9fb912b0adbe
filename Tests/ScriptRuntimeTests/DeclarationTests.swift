import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("script declarations and usage")
struct DeclarationTests {
    @Test("the header's allow and credit lines are read")
    func parse() {
        let d = ScriptDeclaration.parse(Array("#!/usr/bin/env nightshift\n-- nightshift: allow resellers.list, resellers.new\n-- nightshift: max-credits 10\n-- nightshift: max-credits-per-reseller 5\nprint(1)\n-- nightshift: allow panel.call".utf8))
        #expect(d.allow == [.resellersList, .resellersNew])
        #expect(d.maxCredits == 10)
        #expect(d.maxCreditsPerReseller == 5)
        #expect(d.problems.isEmpty)
    }

    @Test("an unknown function in the header is a problem with its line")
    func unknownFunction() {
        let d = ScriptDeclaration.parse(Array("-- nightshift: allow resellers.delete".utf8))
        #expect(d.problems.count == 1)
        #expect(d.problems.first?.hasPrefix("line 1: unknown function 'resellers.delete'") == true)
    }

    @Test("usage finds calls in code but not in comments or strings")
    func usage() {
        let source = "-- resellers.new\nlocal s = 'resellers.update'\n--[[ panel.call ]]\nresellers.add_credits(1, 2)\nlocal x = resellers.list()"
        let uses = ScriptUsage.scan(Array(source.utf8))
        #expect(uses == [.resellersAddCredits: 4, .resellersList: 5])
    }
}
