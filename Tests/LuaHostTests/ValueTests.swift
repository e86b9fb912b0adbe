import LuaHost
import Testing

@Suite("Values crossing between Lua and Swift")
struct ValueTests {
    @Test("integers and floats stay apart both ways")
    func numbersKeptApart() throws {
        let h = try Harness()
        #expect(try h.run("return 3, 3.0, math.type(...), math.type(select(2, ...))", [7, 7.0]) == [3, 3.0, "integer", "float"])
    }

    @Test("strings keep NUL bytes and invalid UTF-8")
    func bytesPreserved() throws {
        let h = try Harness()
        let raw = LuaValue.string(LuaString(bytes: [0x61, 0x00, 0xFF, 0xFE]))
        let back = try h.run("local s = ... return s, #s, s:byte(3)", [raw])
        #expect(back == [raw, 4, 255])
        #expect(back[0].stringValue == nil)
    }

    @Test("nested tables convert with sequence and fields separated")
    func nestedTables() throws {
        let h = try Harness()
        let result = try h.run("return {10, 20, 30, name = 'x', [2.5] = true, inner = {a = {b = 'deep'}}}")
        guard case .table(let t)? = result.first else {
            Issue.record("expected a table")
            return
        }
        #expect(t.array == [10, 20, 30])
        #expect(t["name"] == "x")
        #expect(t[.number(2.5)] == true)
        #expect(t["inner"]["a"]["b"] == "deep")
    }

    @Test("a table with holes keeps the entries after the hole as fields")
    func holes() throws {
        let h = try Harness()
        guard case .table(let t)? = try h.run("local t = {1, 2} t[4] = 4 return t").first else { return }
        #expect(t[.integer(1)] == 1)
        #expect(t[.integer(4)] == 4)
        #expect(t.count == 3)
    }

    @Test("a Swift table round-trips through Lua unchanged")
    func roundTrip() throws {
        let h = try Harness()
        let record: LuaValue = ["id": 5, "name": "ann", "credits": 12.5, "active": true, "tags": ["a", "b"]]
        #expect(try h.run("return ...", [record]) == [record])
    }

    @Test("a cyclic table is refused with a clear error, not a crash")
    func cycleRefused() throws {
        try Harness().expectFailure("local t = {} t.self = t return t", .conversion, "table contains a cycle")
    }

    @Test("a shared (acyclic) subtable converts twice")
    func sharedSubtable() throws {
        let h = try Harness()
        guard case .table(let t)? = try h.run("local s = {1} return {s, s}").first else { return }
        #expect(t.array == [[1], [1]])
    }

    @Test("tables deeper than the conversion depth are refused")
    func depthRefused() throws {
        let h = try Harness()
        let error = h.failure("local t = {} for i = 1, 100 do t = {t} end return t")
        #expect(error?.message == "table nested deeper than 64 levels")
    }

    @Test("tables with more entries than the conversion budget are refused")
    func sizeRefused() throws {
        var limits = testLimits
        limits.conversionEntries = 1000
        let h = try Harness(limits: limits)
        let error = h.failure("local t = {} for i = 1, 1001 do t[i] = i end return t")
        #expect(error?.message == "table has more than 1000 entries")
    }

    @Test("functions come back as references that can be called")
    func functionReferences() throws {
        let h = try Harness()
        guard case .function(let f)? = try h.run("local n = 0 return function() n = n + 1 return n end").first else { return }
        #expect(try h.vm.call(f) == [1])
        #expect(try h.vm.call(f) == [2])
    }

    @Test("a nil or NaN key in a Swift table is refused before Lua sees it")
    func badKeys() throws {
        let h = try Harness()
        let nanKey = LuaValue.table(LuaTable(fields: [.number(.nan): 1]))
        #expect(throws: LuaError.self) { try h.run("return ...", [nanKey]) }
        let nilKey = LuaValue.table(LuaTable(fields: [.nil: 1]))
        #expect(throws: LuaError.self) { try h.run("return ...", [nilKey]) }
    }

    @Test("threads cannot cross to Swift")
    func threadRefused() throws {
        try Harness().expectFailure("return coroutine.create(function() end)", .conversion, "cannot convert a thread value")
    }
}
