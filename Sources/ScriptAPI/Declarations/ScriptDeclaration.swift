import NightshiftCore
/// What a script says it needs, in `-- nightshift:` lines of its leading comment block:
///
/// ```lua
/// -- nightshift: allow resellers.list, resellers.add_credits
/// -- nightshift: max-credits 500
/// -- nightshift: max-credits-per-reseller 50
/// ```
///
/// A run refuses to start when the declaration asks for more than the grant, so a script
/// never fails half-way for lack of a grant it could have known.
public struct ScriptDeclaration: Sendable, Equatable {
    /// Functions the script declares it calls.
    public var allow: Set<APIFunction> = []
    /// Credits it declares it may move in a run.
    public var maxCredits: Int?
    /// Credits it declares it may move per reseller.
    public var maxCreditsPerReseller: Int?
    /// Lines that could not be read, as `line N: problem`.
    public var problems: [String] = []
    /// Whether the script has any `nightshift:` line.
    public var isPresent = false

    /// Creates an empty declaration.
    public init() {}

    /// Reads the leading comment block of `source` (a `#!` first line is skipped); function
    /// names are `catalogue`'s.
    public static func parse(_ source: [UInt8], catalogue: APICatalogue = .standard) -> ScriptDeclaration {
        var declaration = ScriptDeclaration()
        let text = String(decoding: source, as: UTF8.self)
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if index == 0, line.hasPrefix("#!") { continue }
            if line.isEmpty { continue }
            guard line.hasPrefix("--"), !line.hasPrefix("--[[") else { break }
            let comment = String(line.dropFirst(2)).trimmingCharacters(in: " \t")
            guard comment.hasPrefix("nightshift:") else { continue }
            declaration.isPresent = true
            let body = String(comment.dropFirst("nightshift:".count)).trimmingCharacters(in: " \t")
            let words = body.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard let directive = words.first else {
                declaration.problems.append("line \(index + 1): empty nightshift: line")
                continue
            }
            let values = Array(words.dropFirst())
            switch directive {
            case "allow":
                for name in values {
                    if let functions = catalogue.parse(name) {
                        declaration.allow.formUnion(functions)
                    } else {
                        declaration.problems.append("line \(index + 1): unknown function '\(name)' (known: \(catalogue.allowable))")
                    }
                }
            case "max-credits", "max-credits-per-reseller":
                guard values.count == 1, let n = Int(values[0]), n >= 0 else {
                    declaration.problems.append("line \(index + 1): \(directive) needs one whole number, 0 or more")
                    continue
                }
                if directive == "max-credits" { declaration.maxCredits = n } else { declaration.maxCreditsPerReseller = n }
            default:
                declaration.problems.append(
                    "line \(index + 1): unknown directive '\(directive)' (known: allow, max-credits, max-credits-per-reseller)")
            }
        }
        return declaration
    }

    /// What the declaration asks beyond `grant`, one sentence each; empty when it fits.
    public func excess(over grant: Grant) -> [String] {
        var problems: [String] = []
        let missing = allow.filter { !grant.allows($0) }.sorted()
        if !missing.isEmpty {
            problems.append(
                "the script declares it calls \(missing.map(\.rawValue).joined(separator: ", ")), which the grant does not allow (add \(missing.map { "--allow \($0.rawValue)" }.joined(separator: " ")))")
        }
        if let maxCredits, maxCredits > grant.maxCredits {
            problems.append(
                "the script declares it may move \(maxCredits) credits, the grant allows \(grant.maxCredits) (pass --max-credits \(maxCredits))")
        }
        if let wanted = maxCreditsPerReseller {
            let granted = min(grant.maxCreditsPerReseller ?? grant.maxCredits, grant.maxCredits)
            if wanted > granted {
                problems.append(
                    "the script declares it may move \(wanted) credits per reseller, the grant allows \(granted) (pass --max-credits-per-reseller \(wanted) and a --max-credits at least as large)")
            }
        }
        return problems
    }

    /// The grant that gives exactly what the script declares.
    public var grant: Grant {
        Grant(allowed: allow, maxCredits: maxCredits ?? 0, maxCreditsPerReseller: maxCreditsPerReseller)
    }
}
