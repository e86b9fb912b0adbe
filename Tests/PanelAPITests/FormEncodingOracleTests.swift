import Foundation
import PanelAPI
import Testing

@Suite("PHP-exact form encoding (PHP is the oracle)")
struct FormEncodingOracleTests {
    @Test("random nested data encodes to the same bytes as PHP's http_build_query", arguments: [1, 2, 3] as [UInt64])
    func randomDataMatchesPHP(seed: UInt64) throws {
        var generator = RandomForm(seed: seed)
        let cases = (0..<200).map { _ in generator.map() }
        var script = "<?php\n"
        for form in cases {
            script += "echo http_build_query(\(PHPLiteral.map(form))), \"\\n\";\n"
        }
        let lines = String(decoding: try PHP.run(script), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.count == cases.count + 1)
        for (index, form) in cases.enumerated() {
            #expect(PHPFormEncoder.encode(form) == String(lines[index]), "case \(index): \(PHPLiteral.map(form))")
        }
    }

    @Test("floats print exactly as PHP prints them, not as Swift does")
    func floatsMatchPHP() throws {
        var generator = RandomForm(seed: 99)
        var values: [Double] = [
            0.1, 0.30000000000000004, 1.0 / 3, 100.0, 1e20, 1e15, 1e14, 99999999999999.0, 123456789012345.0,
            1e-4, 1e-5, 2.5e-7, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 100000000000000.5, 0.5, 1.5, 2.5,
            .infinity, -.infinity, .nan,
        ]
        for _ in 0..<300 { values.append(generator.double()) }
        let script = "<?php\n" + values.map { "echo http_build_query(['f' => \(PHPLiteral.double($0))]), \"\\n\";\n" }.joined()
        let lines = String(decoding: try PHP.run(script), as: UTF8.self).split(separator: "\n")
        try #require(lines.count == values.count)
        for (value, line) in zip(values, lines) {
            #expect(PHPFormEncoder.encode(["f": .double(value)]) == String(line), "\(PHPLiteral.double(value))")
        }
    }

    @Test("the vendor's `new` example encodes exactly as the wire-format page shows")
    func vendorNewExample() {
        let request = PanelRequest.resellersNew(
            NewReseller(name: "test_reseller", maxAllowedConnections: 100, useCredits: true, credits: 50))
        let body = PHPFormEncoder.encode(FormMap([("api_key", .string("k"))] + request.params.entries.map { ($0.key, $0.value) }))
        #expect(
            body
                == "api_key=k&data%5Bname%5D=test_reseller&data%5Bmax_allowed_connections%5D=100&data%5Buse_credits%5D=1&data%5Bcredits%5D=50"
        )
    }

    @Test("null and empty arrays leave their keys out, false is 0, an empty string is kept")
    func nullsAndEmpties() {
        let form: FormMap = ["n": nil, "e": [], "m": .map([:]), "f": false, "t": true, "s": ""]
        #expect(PHPFormEncoder.encode(form) == "f=0&t=1&s=")
    }

    @Test("setting an existing key keeps its first position, as a PHP array does")
    func keyOrder() {
        var form: FormMap = ["a": 1, "b": 2]
        form["a"] = 3
        #expect(PHPFormEncoder.encode(form) == "a=3&b=2")
    }
}
