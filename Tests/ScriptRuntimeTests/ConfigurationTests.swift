import Testing

@testable import ScriptRuntime
@testable import ScriptAPI
import RunRecords
import NightshiftConfig

@Suite("nightshift.toml and limits")
struct ConfigurationTests {
    @Test("every key of nightshift.toml is read, with ~ and relative paths expanded")
    func parse() throws {
        let text = """
            [panel]
            url = "http://panel.example:8000/"
            key_placement = "path"
            key_file = "~/key"
            timeout = "10s"
            concurrency = 8
            rate = 2.5
            [run]
            timeout = "1m30s"
            memory = "32M"
            [state]
            dir = "state"
            """
        let c = try NightshiftConfiguration.parse(text, fileName: "/etc/ns/nightshift.toml", home: "/home/op")
        #expect(c.panelURL == "http://panel.example:8000/")
        #expect(c.keyPlacement == "path")
        #expect(c.keyFile == "/home/op/key")
        #expect(c.panelTimeout == .seconds(10))
        #expect(c.panelConcurrency == 8)
        #expect(c.panelRate == 2.5)
        #expect(c.runTimeout == .seconds(90))
        #expect(c.memory == 32 << 20)
        #expect(c.stateDirectory == "/etc/ns/state")
    }

    @Test("[records] names the shared database and a password file (relative to the file); a password file alone is an error")
    func records() throws {
        let text = "[records]\nstore = \"postgres://ns@db:5432/ns\"\npassword_file = \"pg-password\""
        let c = try NightshiftConfiguration.parse(text, fileName: "/etc/ns/nightshift.toml", home: "/home/op")
        #expect(c.recordsStore == "postgres://ns@db:5432/ns")
        #expect(c.recordsPasswordFile == "/etc/ns/pg-password")
        #expect(try NightshiftConfiguration.parse("", fileName: "f.toml", home: "/h").recordsStore == nil)
        #expect(throws: NightshiftConfiguration.Failure(
            "f.toml: [records] password_file needs store = \"postgres://USER@HOST:PORT/DATABASE\"")) {
            try NightshiftConfiguration.parse("[records]\npassword_file = \"p\"", fileName: "f.toml", home: "/h")
        }
    }

    @Test("an unknown key is an error naming the table and the known keys")
    func unknownKey() {
        #expect(throws: NightshiftConfiguration.Failure("f.toml: [run]: unknown key 'timout'; known keys: max_output, memory, timeout")) {
            try NightshiftConfiguration.parse("[run]\ntimout = \"1s\"", fileName: "f.toml", home: "/h")
        }
    }

    @Test("[panel] concurrency and rate are unset by default; a whole-number rate is accepted")
    func politenessDefaults() throws {
        let empty = try NightshiftConfiguration.parse("[panel]\nurl = \"http://p:8000/\"", fileName: "f.toml", home: "/h")
        #expect(empty.panelConcurrency == nil && empty.panelRate == nil)
        #expect(try NightshiftConfiguration.parse("[panel]\nrate = 20", fileName: "f.toml", home: "/h").panelRate == 20)
    }

    @Test("[panel] concurrency below 1 or a rate that is not above 0 is an error saying what to write", arguments: [
        ("concurrency = 0", "f.toml: [panel] concurrency must be a whole number of requests, 1 or more (e.g. 4)"),
        ("concurrency = \"4\"", "f.toml: [panel] concurrency must be a whole number of requests, 1 or more (e.g. 4)"),
        ("rate = 0", "f.toml: [panel] rate must be a number of requests per second above 0 (e.g. 20 or 2.5)"),
        ("rate = -1.5", "f.toml: [panel] rate must be a number of requests per second above 0 (e.g. 20 or 2.5)"),
    ])
    func politenessErrors(line: String, message: String) {
        #expect(throws: NightshiftConfiguration.Failure(message)) {
            try NightshiftConfiguration.parse("[panel]\n\(line)", fileName: "f.toml", home: "/h")
        }
    }

    @Test("durations and sizes read as operators write them")
    func limits() {
        #expect(Limits.duration("500ms") == .milliseconds(500))
        #expect(Limits.duration("2m") == .seconds(120))
        #expect(Limits.duration("1.5") == .milliseconds(1500))
        #expect(Limits.duration("5x") == nil)
        #expect(Limits.bytes("64M") == 64 << 20)
        #expect(Limits.bytes("512KiB") == 512 << 10)
        #expect(Limits.bytes("-1") == nil)
    }

    @Test("[notify.NAME] tables become webhook and command targets, and [run] max_output a byte count")
    func notifyAndMaxOutput() throws {
        let text = """
            [run]
            max_output = "2M"
            [notify.ops]
            webhook = "https://hooks.example/T0/B0/secret"
            [notify.mail-ops]
            command = ["/usr/local/bin/mail-ops", "--to", "ops"]
            """
        let c = try NightshiftConfiguration.parse(text, fileName: "n.toml", home: "/h")
        #expect(c.maxOutput == 2 << 20)
        #expect(
            c.notifyTargets == [
                NotifyTarget(name: "mail-ops", delivery: .command(["/usr/local/bin/mail-ops", "--to", "ops"])),
                NotifyTarget(name: "ops", delivery: .webhook("https://hooks.example/T0/B0/secret")),
            ])
    }

    @Test("a notify target with both or neither of webhook and command is an error that does not print the URL")
    func notifyTargetErrors() {
        #expect(throws: NightshiftConfiguration.Failure("n.toml: [notify.ops] needs exactly one of webhook = \"URL\" or command = [\"prog\", \"arg\"]")) {
            try NightshiftConfiguration.parse(
                "[notify.ops]\nwebhook = \"https://h/secret\"\ncommand = [\"x\"]", fileName: "n.toml", home: "/h")
        }
        #expect(throws: NightshiftConfiguration.Failure("n.toml: [notify.ops] webhook must be an http:// or https:// URL")) {
            try NightshiftConfiguration.parse("[notify.ops]\nwebhook = \"ftp://h/secret\"", fileName: "n.toml", home: "/h")
        }
    }
}
