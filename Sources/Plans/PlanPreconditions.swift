import PanelAPI
import ScriptAPI

extension Plan {
    /// The records of a reseller list as a plan binds them: keyed by id, named by username,
    /// with the fields a decision could rest on (a field the panel changes on its own, such
    /// as a last-login time, would make every plan stale).
    public static func records(of resellers: [Reseller]) -> [Record] {
        resellers.map { reseller in
            Record(
                id: String(reseller.id), name: reseller.username,
                fields: [
                    ("username", reseller.username), ("credits", reseller.credits.map(String.init) ?? "-"),
                    ("status", reseller.status.map(String.init) ?? "-"),
                    ("use_credits", reseller.useCredits.map { $0 ? "1" : "0" } ?? "-"),
                    ("max_allowed_connections", reseller.maxAllowedConnections.map(String.init) ?? "-"),
                ])
        }
    }

    /// Whether checking the plan needs the panel's reseller list (one `resellers.list`).
    public var needsResellerList: Bool {
        writes.contains { !$0.preconditions.isEmpty } || reads.contains { $0.records != nil }
    }

    /// Every way the panel now differs from what the plan was made against, one sentence
    /// each: each write's preconditions against `resellers` (the list read now), and with
    /// `--bind reads` each bound read against its answer now (`answers`, by index in
    /// ``reads``: the reseller list's records, or another read's whole answer).
    public func differences(resellers: [Reseller], answers: [Int: [UInt8]]) -> [String] {
        var found: [String] = []
        var byID: [String: Reseller] = [:]
        var byName: [String: Reseller] = [:]
        for reseller in resellers {
            byID[String(reseller.id)] = byID[String(reseller.id)] ?? reseller
            byName[reseller.username] = byName[reseller.username] ?? reseller
        }
        func find(_ record: WriteTarget) -> Reseller? {
            switch record.param {
            case "id": byID[record.value]
            case "username": byName[record.value]
            default: nil
            }
        }
        for write in writes {
            for precondition in write.preconditions {
                let now = find(precondition.record)
                let who = precondition.record.param == "username" && now == nil
                    ? "username \"\(precondition.record.value)\"" : write.label
                let sentence: String?
                switch precondition.expectation {
                case .exists:
                    sentence = now == nil
                        ? precondition.record.param == "username"
                            ? "\(who): no reseller has this username now (renamed or deleted)"
                            : "\(who): no longer exists in the panel"
                        : nil
                case .absent:
                    sentence = now.map { "username \"\(precondition.record.value)\": a reseller with this username exists now (id \($0.id))" }
                case .equals(let field, let value):
                    guard let now else { sentence = nil; break }
                    let current = Self.field(field, of: now)
                    sentence = current == value ? nil : Self.changed(write.label, field, value, current)
                }
                if let sentence, !found.contains(sentence) { found.append(sentence) }
            }
        }
        for (index, read) in reads.enumerated() {
            if let records = read.records {
                let current = Dictionary(Self.records(of: resellers).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                let planned = Set(records.map(\.id))
                for record in records {
                    let label = "\(record.name) (id \(record.id))"
                    guard let now = current[record.id] else {
                        found.append("\(label): read when planned, no longer exists")
                        continue
                    }
                    for (key, value) in record.fields {
                        let newValue = now.fields.first { $0.key == key }?.value ?? "-"
                        let sentence = Self.changed(label, key, value, newValue)
                        if newValue != value, !found.contains(sentence) { found.append(sentence) }
                    }
                }
                for reseller in resellers where !planned.contains(String(reseller.id)) {
                    found.append("\(reseller.username) (id \(reseller.id)): new since the plan was made")
                }
            } else if let expected = read.answerSHA256 {
                let now = answers[index].map(ContentHash.sha256)
                if now != expected { found.append("\(read.function) answers differently than when planned") }
            }
        }
        return found
    }

    /// `zenhub7 (id 7): credits were 418 when planned, now 668`.
    static func changed(_ who: String, _ field: String, _ before: String, _ now: String) -> String {
        "\(who): \(field) \(field.hasSuffix("s") ? "were" : "was") \(before) when planned, now \(now)"
    }

    /// A field of a reseller as text, as preconditions record it.
    static func field(_ name: String, of reseller: Reseller) -> String {
        switch name {
        case "credits": reseller.credits.map(String.init) ?? "-"
        case "username": reseller.username
        default: reseller.fields[name]?.looseString ?? "-"
        }
    }
}
