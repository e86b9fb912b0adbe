import NightshiftConfig
/// Every function of the script API, by group: the one list that registration, grants,
/// `--allow`, `nightshift check`, `nightshift types` and docs/scripting.md derive from.
///
/// Adding an endpoint group is one file declaring an ``APIGroup`` (its entries and their host
/// code) and one line adding it to ``standard``.
public struct APICatalogue: Sendable {
    /// The groups, in the order scripts' globals are made.
    public let groups: [APIGroup]

    /// The standard script API.
    public static let standard = APICatalogue(groups: [ResellersGroup.group, PanelGroup.group, NotifyGroup.group])

    /// A catalogue of `groups`. Two functions with one name, or a function outside its
    /// group's table, are programming errors.
    public init(groups: [APIGroup]) {
        var seen = Set<APIFunction>()
        for group in groups {
            for entry in group.entries {
                precondition(entry.function.group == group.name, "\(entry.function) is not in group \(group.name)")
                precondition(seen.insert(entry.function).inserted, "\(entry.function) is declared twice")
            }
        }
        self.groups = groups
    }

    /// This catalogue with `more` groups after its own.
    public func adding(_ more: APIGroup...) -> APICatalogue { APICatalogue(groups: groups + more) }

    /// Every entry, group by group.
    public var entries: [APIEntry] { groups.flatMap(\.entries) }

    /// The entry for `function`, if it exists.
    public func entry(_ function: APIFunction) -> APIEntry? { entries.first { $0.function == function } }

    /// Every function's name, sorted.
    public var functions: [APIFunction] { entries.map(\.function).sorted() }

    /// The functions that only read (what a grant gives when none is named).
    public var reads: Set<APIFunction> { Set(entries.filter(\.isRead).map(\.function)) }

    /// Parses a name as `--allow` and declarations write it: `resellers.add_credits`,
    /// `resellers.*` (a whole group) or `all`; nil when it names nothing.
    ///
    /// A group that grants targets takes `notify.NAME` and `notify.*` instead of its
    /// functions' names; `targets` are the names configured for it (`nil`: any valid name,
    /// as a script's declaration may name targets the checker cannot see). `all` grants
    /// no target.
    public func parse(_ text: String, targets: Set<String>? = nil) -> Set<APIFunction>? {
        if text == "all" || text == "*" { return Set(entries.filter { !grantsTargets($0.function) }.map(\.function)) }
        if let dot = text.firstIndex(of: "."), let group = groups.first(where: { $0.name == text[..<dot] }), group.grantsTargets {
            let target = String(text[text.index(after: dot)...])
            if target == "*" { return [APIFunction(rawValue: text)] }
            guard NotifyTarget.isValidName(target), targets?.contains(target) ?? true else { return nil }
            return [APIFunction(rawValue: text)]
        }
        if text.hasSuffix(".*") {
            let group = text.dropLast(2)
            let members = entries.filter { $0.function.group == group }.map(\.function)
            return members.isEmpty ? nil : Set(members)
        }
        let function = APIFunction(rawValue: text)
        return entry(function) == nil ? nil : [function]
    }

    /// Whether `function` belongs to a group whose grants name targets (`notify.send`).
    public func grantsTargets(_ function: APIFunction) -> Bool {
        groups.contains { $0.grantsTargets && $0.name == function.group }
    }

    /// What `--allow` accepts, for help and errors; `targets` are the configured targets.
    public func allowableNames(targets: [String] = []) -> String {
        var names = entries.filter { !grantsTargets($0.function) }.map(\.function.rawValue).sorted()
        names += groups.filter { !$0.grantsTargets }.map { "\($0.name).*" }
        for group in groups where group.grantsTargets {
            names += targets.sorted().map { "\(group.name).\($0)" } + ["\(group.name).*"]
        }
        return (names + ["all"]).joined(separator: ", ")
    }

    /// What `--allow` accepts, for help and errors.
    public var allowable: String { allowableNames() }

    /// LuaLS definitions of every group and function.
    public var typeDefinitions: String {
        var parts: [String] = []
        var classes = Set<String>()
        for entry in entries where !entry.types.isEmpty && classes.insert(entry.types).inserted { parts.append(entry.types) }
        for group in groups {
            parts.append("---\(group.summary)\n\(group.name) = {}")
            parts += group.entries.map(\.typeDefinition)
        }
        return parts.joined(separator: "\n\n")
    }

    /// The Markdown table of docs/scripting.md: function, grant, reads or writes, credits, summary.
    public var markdownTable: String {
        var lines = ["| Function | Reads or writes | Credits | What it does |", "|---|---|---|---|"]
        for entry in entries {
            let kind: String
            let credits: String
            switch entry.effect {
            case .read:
                kind = "reads"
                credits = "none"
            case .write(let effect):
                kind = "writes"
                credits = effect.rawValue
            }
            lines.append("| `\(entry.signature)` | \(kind) | \(credits) | \(entry.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
