import NightshiftConfig
import Testing

@Suite("[panels.NAME] in nightshift.toml")
struct PanelsConfigurationTests {
    static let text = """
        [panel]
        url = "http://main.example:8000/"
        key_file = "main.key"
        timeout = "20s"
        concurrency = 2
        key_placement = "path"

        [panels.us]
        url = "https://us.example:8001/"
        key_file = "/etc/nightshift/us.key"

        [panels.eu]
        url = "https://eu.example:8001/"
        key_file = "keys/eu.key"
        concurrency = 8
        rate = 20
        key_in_url = false
        timeout = "5s"
        """

    static func configuration() throws -> NightshiftConfiguration {
        try NightshiftConfiguration.parse(text, fileName: "/etc/ns/nightshift.toml", home: "/home/op")
    }

    @Test("every key of a [panels.NAME] is read; panels are sorted by name; relative key files are from the file's folder")
    func parse() throws {
        let c = try Self.configuration()
        #expect(c.panels.map(\.name) == ["eu", "us"])
        #expect(
            c.panels[0]
                == PanelDefinition(
                    name: "eu", url: "https://eu.example:8001/", keyFile: "/etc/ns/keys/eu.key", concurrency: 8, rate: 20,
                    keyInURL: false, timeout: .seconds(5)))
        #expect(c.panels[1] == PanelDefinition(name: "us", url: "https://us.example:8001/", keyFile: "/etc/nightshift/us.key"))
    }

    @Test("--panel NAME is the named panel, taking timeout, politeness and key placement from [panel] where it says none")
    func byName() throws {
        let c = try Self.configuration()
        #expect(try c.panel("eu").concurrency == 8)
        #expect(try c.panel("eu").keyInURL == false)
        let us = try c.panel("us")
        #expect(us.url == "https://us.example:8001/")
        #expect(us.keyFile == "/etc/nightshift/us.key")
        #expect(us.timeout == .seconds(20))
        #expect(us.concurrency == 2)
        #expect(us.keyInURL == true)
    }

    @Test("--panel URL is the default panel at that URL; no --panel is [panel]")
    func byURL() throws {
        let c = try Self.configuration()
        let url = try c.panel("http://other.example:8000/")
        #expect(url.name == "default")
        #expect(url.url == "http://other.example:8000/")
        #expect(url.keyFile == "/etc/ns/main.key")
        #expect(try c.panel(nil).url == "http://main.example:8000/")
    }

    @Test("an unknown panel name lists the known ones")
    func unknown() throws {
        #expect(throws: NightshiftConfiguration.PanelChoiceFailure(
            description: "no panel named 'ap': known panels: eu, us; or give a URL such as http://HOST:8000/")) {
            try Self.configuration().panel("ap")
        }
    }

    @Test("--panels takes names in the order given, or all; twice, empty, 'all' among names or a URL is refused")
    func fleet() throws {
        let c = try Self.configuration()
        #expect(try c.fleet("us,eu").map(\.name) == ["us", "eu"])
        #expect(try c.fleet("us, eu").map(\.name) == ["us", "eu"])
        #expect(try c.fleet("all").map(\.name) == ["eu", "us"])
        #expect(try c.fleet("all")[1].concurrency == 2)
        #expect(throws: NightshiftConfiguration.PanelChoiceFailure(description: "--panels us,us: 'us' is named twice")) {
            try c.fleet("us,us")
        }
        #expect(throws: NightshiftConfiguration.PanelChoiceFailure(
            description: "--panels us,: write panel names separated by commas, such as eu,us, or all")) {
            try c.fleet("us,")
        }
        #expect(throws: NightshiftConfiguration.PanelChoiceFailure(
            description: "--panels eu,all: 'all' stands alone: write --panels all, or list the panels")) {
            try c.fleet("eu,all")
        }
        #expect(throws: (any Error).self) { try c.fleet("http://x:8000/") }
        #expect(throws: NightshiftConfiguration.PanelChoiceFailure(
            description: "--panels all: nightshift.toml defines no [panels.NAME] tables; add one per panel (docs/fleets.md)")) {
            try NightshiftConfiguration().fleet("all")
        }
    }

    @Test("a [panels.NAME] without url, with an unknown key, a reserved name or a bad key_in_url is refused naming it")
    func refusals() {
        func failure(_ text: String) -> String? {
            do {
                _ = try NightshiftConfiguration.parse(text, fileName: "f.toml", home: "/h")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(failure("[panels.eu]\nkey_file = \"k\"") == "f.toml: [panels.eu] needs url = \"https://HOST:8001/\"")
        #expect(
            failure("[panels.eu]\nurl = \"http://x/\"\napi_key = \"k\"")
                == "f.toml: [panels.eu]: unknown key 'api_key'; known keys: concurrency, key_file, key_in_url, rate, timeout, url")
        #expect(
            failure("[panels.default]\nurl = \"http://x/\"")
                == "f.toml: [panels.default]: a panel's name may hold only letters, digits, '_' and '-', and may not be 'default' (that is [panel]) or 'all'")
        #expect(
            failure("[panels.eu]\nurl = \"http://x/\"\nkey_in_url = \"no\"")
                == "f.toml: [panels.eu] key_in_url must be true (the key as the URL's 4th segment) or false (the api_key field)")
        #expect(
            failure("[panels.eu]\nurl = \"http://x/\"\nconcurrency = 0")
                == "f.toml: [panels.eu] concurrency must be a whole number of requests, 1 or more (e.g. 4)")
    }
}
