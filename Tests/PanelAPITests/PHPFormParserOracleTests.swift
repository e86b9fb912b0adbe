import Foundation
import PanelAPI
import PanelEmulator
import Testing

@Suite("The emulator reads bodies as PHP fills $_POST (PHP is the oracle)")
struct PHPFormParserOracleTests {
    /// Keys and values as hex of their bytes, so both sides print the same canonical text.
    static func canonical(_ array: PHPArray) -> String {
        "{" + array.entries.map { hex($0.key) + ":" + canonical($0.value) }.joined(separator: ",") + "}"
    }

    static func canonical(_ input: PHPInput) -> String {
        switch input {
        case .string(let text): "s" + hex(text)
        case .array(let array): canonical(array)
        }
    }

    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

    static let phpCanonical = """
        function canon($v) {
            if (!is_array($v)) return 's' . bin2hex($v);
            $parts = [];
            foreach ($v as $k => $x) $parts[] = bin2hex((string)$k) . ':' . canon($x);
            return '{' . implode(',', $parts) . '}';
        }

        """

    @Test("awkward bodies parse as parse_str parses them", arguments: [
        "a=1&a=2", "a[b]=1&a[b]=2&a[c]=3", "a.b=1&a+b=2&+lead=3", "a[b=1", "a[b.c=1", "a[]=1&a[]=2&a[5]=3&a[]=4",
        "a[x]junk=1", "a[x][y][z]=deep", "a=1&a[b]=2", "a[b]=1&a=2", "a[ ]=1&a[ x]=2", "=1&[a]=2", "a[b][c=1",
        "a%5Bb%5D=1", "a=%41%zz%4", "a", "a[0]=x&a[00]=y&a[-1]=z&a[]=w", "api_key=k1&api_key=k2",
        "data[name]=x&data[credits]=5&data[name]=y", "%00a=1&b%00c=2", "a[%5D]=1", "a]b=1", "&&a=1&&",
    ])
    func awkwardBodies(body: String) throws {
        let script = "<?php\n" + Self.phpCanonical + "parse_str(\(PHPLiteral.string(body)), $out); echo canon($out);\n"
        let php = String(decoding: try PHP.run(script), as: UTF8.self)
        #expect(Self.canonical(PHPFormParser.parse(body)) == php)
    }

    @Test("random encoded data parses back as PHP parses it", arguments: [11, 12] as [UInt64])
    func randomBodies(seed: UInt64) throws {
        var generator = RandomForm(seed: seed)
        let bodies = (0..<100).map { _ in PHPFormEncoder.encode(generator.map()) }
        var script = "<?php\n" + Self.phpCanonical
        for body in bodies { script += "parse_str(\(PHPLiteral.string(body)), $out); echo canon($out), \"\\n\";\n" }
        let lines = String(decoding: try PHP.run(script), as: UTF8.self).split(separator: "\n")
        try #require(lines.count == bodies.count)
        for (body, line) in zip(bodies, lines) {
            #expect(Self.canonical(PHPFormParser.parse(body)) == String(line), "\(body)")
        }
    }
}
