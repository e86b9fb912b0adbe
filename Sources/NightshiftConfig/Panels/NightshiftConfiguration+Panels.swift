import TOMLKit

extension NightshiftConfiguration {
    /// Why a panel named on the command line or in a job cannot be used.
    public struct PanelChoiceFailure: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong and what to write instead.
        public let description: String

        /// Creates a failure.
        public init(description: String) { self.description = description }
    }

    /// The panel `[panel]` describes, named ``PanelDefinition/defaultName``.
    public var defaultPanel: PanelDefinition {
        PanelDefinition(
            name: PanelDefinition.defaultName, url: panelURL, keyFile: keyFile, concurrency: panelConcurrency,
            rate: panelRate, keyInURL: keyPlacement.map { $0 == "path" }, timeout: panelTimeout)
    }

    /// The panel `--panel` names: a URL (`http://...` or `https://...`: the default panel at
    /// that URL), or the name of a `[panels.NAME]`, which takes what it leaves out (timeout,
    /// politeness, key placement) from `[panel]`; nil: the default panel.
    public func panel(_ reference: String?) throws(PanelChoiceFailure) -> PanelDefinition {
        guard let reference else { return defaultPanel }
        if reference.contains("://") {
            var panel = defaultPanel
            panel.url = reference
            return panel
        }
        guard let named = panels.first(where: { $0.name == reference }) else {
            throw PanelChoiceFailure(description: "no panel named '\(reference)': \(known)")
        }
        return inheriting(named)
    }

    /// `[panel]` (when it has a URL), then every `[panels.NAME]` in name order, each with what
    /// it takes from `[panel]`: what `nightshift panels` lists.
    public var listedPanels: [PanelDefinition] {
        (panelURL == nil ? [] : [defaultPanel]) + panels.map(inheriting)
    }

    /// The panels `--panels` names: `all` (every `[panels.NAME]`), or names separated by
    /// commas, each once, in the order given.
    public func fleet(_ list: String) throws(PanelChoiceFailure) -> [PanelDefinition] {
        let names = list.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: " ")
        }
        if names == [PanelDefinition.allName] {
            guard !panels.isEmpty else {
                throw PanelChoiceFailure(
                    description: "--panels all: nightshift.toml defines no [panels.NAME] tables; add one per panel (docs/fleets.md)")
            }
            return panels.map(inheriting)
        }
        var chosen: [PanelDefinition] = []
        for name in names {
            guard !name.isEmpty else {
                throw PanelChoiceFailure(description: "--panels \(list): write panel names separated by commas, such as eu,us, or all")
            }
            if name == PanelDefinition.allName {
                throw PanelChoiceFailure(description: "--panels \(list): 'all' stands alone: write --panels all, or list the panels")
            }
            guard !chosen.contains(where: { $0.name == name }) else {
                throw PanelChoiceFailure(description: "--panels \(list): '\(name)' is named twice")
            }
            if name.contains("://") {
                throw PanelChoiceFailure(
                    description: "--panels \(list): name panels of nightshift.toml ([panels.NAME]), not URLs: a fleet's panels each need their own key_file")
            }
            chosen.append(try panel(name))
        }
        return chosen
    }

    /// The panel names a job or a command line may use, for messages.
    private var known: String {
        panels.isEmpty
            ? "nightshift.toml defines no [panels.NAME] tables (docs/configuration.md, \"Panels\"); or give a URL such as http://HOST:8000/"
            : "known panels: \(panels.map(\.name).joined(separator: ", ")); or give a URL such as http://HOST:8000/"
    }

    private func inheriting(_ named: PanelDefinition) -> PanelDefinition {
        var panel = named
        panel.timeout = panel.timeout ?? panelTimeout
        panel.concurrency = panel.concurrency ?? panelConcurrency
        panel.rate = panel.rate ?? panelRate
        panel.keyInURL = panel.keyInURL ?? keyPlacement.map { $0 == "path" }
        return panel
    }

    /// `[panels.NAME]` tables, sorted by name.
    static func panels(
        _ value: any TOMLValueConvertible, fileName: String, path: (String) -> String
    ) throws(Failure) -> [PanelDefinition] {
        guard let table = value.table else { throw Failure("\(fileName): [panels] must hold tables such as [panels.eu]") }
        var panels: [PanelDefinition] = []
        for name in table.keys.sorted() {
            let context = "\(fileName): [panels.\(name)]"
            guard PanelDefinition.isValidName(name) else {
                throw Failure(
                    "\(context): a panel's name may hold only letters, digits, '_' and '-', and may not be 'default' (that is [panel]) or 'all'")
            }
            guard let entry = table[name]?.table else {
                throw Failure("\(context) must be a table with url = \"https://HOST:8001/\" and key_file = \"FILE\"")
            }
            try reject(entry, known: ["url", "key_file", "key_in_url", "timeout", "concurrency", "rate"], context: context)
            guard let url = try string(entry, "url", context) else {
                throw Failure("\(context) needs url = \"https://HOST:8001/\"")
            }
            var panel = PanelDefinition(name: name, url: url, keyFile: try string(entry, "key_file", context).map(path))
            if let flag = entry["key_in_url"] {
                guard let bool = flag.bool else {
                    throw Failure("\(context) key_in_url must be true (the key as the URL's 4th segment) or false (the api_key field)")
                }
                panel.keyInURL = bool
            }
            let shared = try sharedPanelSettings(entry, context: context)
            panel.timeout = shared.timeout
            panel.concurrency = shared.concurrency
            panel.rate = shared.rate
            panels.append(panel)
        }
        return panels
    }

    /// `timeout`, `concurrency` and `rate`, as `[panel]` and `[panels.NAME]` both write them.
    static func sharedPanelSettings(
        _ table: TOMLTable, context: String
    ) throws(Failure) -> (timeout: Duration?, concurrency: Int?, rate: Double?) {
        var settings: (timeout: Duration?, concurrency: Int?, rate: Double?) = (nil, nil, nil)
        if let text = try string(table, "timeout", context) {
            guard let duration = Limits.duration(text) else {
                throw Failure("\(context) timeout: \"\(text)\" is not a duration such as \"30s\" or \"2m\"")
            }
            settings.timeout = duration
        }
        if let value = table["concurrency"] {
            guard let number = value.int, number >= 1 else {
                throw Failure("\(context) concurrency must be a whole number of requests, 1 or more (e.g. 4)")
            }
            settings.concurrency = number
        }
        if let value = table["rate"] {
            guard let number = value.double ?? value.int.map(Double.init), number > 0, number.isFinite else {
                throw Failure("\(context) rate must be a number of requests per second above 0 (e.g. 20 or 2.5)")
            }
            settings.rate = number
        }
        return settings
    }
}
