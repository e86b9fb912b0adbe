import PanelAPI

/// The resellers as this run last saw them, with its own writes applied: in dry-run the
/// planned writes are laid over every fresh list, so later reads see them. Part of the
/// reseller group (``ResellerState``), not of the write path.
package struct ResellerView {
    /// One write applied to the rows.
    package enum Change {
        case new(JSONObject)
        case update(ResellerRef, FormMap)
        case addCredits(ResellerRef, Int)

        /// What `write` (of `resellers.*`) does to the rows; `createdID` is the id the panel
        /// (or the dry-run) gave a new reseller.
        package init?(_ write: Write, createdID: Int?) {
            let params = write.request.params
            switch write.function {
            case .resellersNew:
                guard case .map(let data)? = params["data"] else { return nil }
                var row: JSONObject = [:]
                row["username"] = data["name"].flatMap(ResellerView.json)
                row["credits"] = .int(data["credits"].flatMap { ResellerView.json($0)?.looseInt } ?? 0)
                row["max_allowed_connections"] = .int(data["max_allowed_connections"].flatMap { ResellerView.json($0)?.looseInt } ?? 1)
                let useCredits: Bool = { if case .bool(let flag)? = data["use_credits"] { return flag }; return true }()
                row["use_credits"] = .int(useCredits ? 1 : 0)
                if let createdID { row["id"] = .int(createdID) }
                self = .new(row)
            case .resellersUpdate:
                guard let target = write.target.flatMap(ResellerRef.init), case .map(let fields)? = params["data"] else { return nil }
                self = .update(target, fields)
            case .resellersAddCredits:
                guard let target = write.target.flatMap(ResellerRef.init), case .int(let amount)? = params["credits"] else { return nil }
                self = .addCredits(target, amount)
            default:
                return nil
            }
        }
    }

    private(set) var rows: [JSONObject] = []
    /// Row positions by id and by username, rebuilt on the first lookup after a change.
    private var byID: [Int: Int] = [:]
    private var byName: [String: Int] = [:]
    private var indexed = false
    private(set) var fetched = false
    /// Dry-run only: planned changes, laid over each fresh list.
    private var overlay: [Change] = []
    package var keepsOverlay: Bool

    package init(keepsOverlay: Bool) { self.keepsOverlay = keepsOverlay }

    /// Takes a fresh list from the panel and lays the planned changes over it.
    package mutating func refresh(_ resellers: [Reseller]) {
        rows = resellers.map(\.fields)
        indexed = false
        fetched = true
        for change in overlay { apply(change) }
    }

    /// Records a change: applied now, and in dry-run kept for later lists.
    package mutating func record(_ change: Change) {
        if keepsOverlay { overlay.append(change) }
        if fetched { apply(change) }
    }

    package mutating func index(of ref: ResellerRef) -> Int? {
        if !indexed {
            byID = [:]
            byName = [:]
            for (position, row) in rows.enumerated() {
                if let id = row["id"]?.looseInt, byID[id] == nil { byID[id] = position }
                if let name = (row["username"] ?? row["name"])?.looseString, byName[name] == nil { byName[name] = position }
            }
            indexed = true
        }
        switch ref {
        case .id(let id): return byID[id]
        case .username(let name): return byName[name]
        }
    }

    package mutating func credits(of ref: ResellerRef) -> Int? { index(of: ref).flatMap { rows[$0]["credits"]?.looseInt } }

    package mutating func id(of ref: ResellerRef) -> Int? {
        if case .id(let id) = ref { return id }
        return index(of: ref).flatMap { rows[$0]["id"]?.looseInt }
    }

    package mutating func exists(username: String) -> Bool { index(of: .username(username)) != nil }

    /// The next id a planned `new` gets in dry-run.
    package var nextPlannedID: Int { (rows.compactMap { $0["id"]?.looseInt }.max() ?? 0) + 1 }

    private mutating func apply(_ change: Change) {
        switch change {
        case .new(let row):
            if let id = row["id"]?.looseInt, index(of: .id(id)) != nil { return }
            rows.append(row)
            indexed = false
        case .update(let ref, let fields):
            guard let i = index(of: ref) else { return }
            for (key, value) in fields.entries {
                if let json = Self.json(value) { rows[i][key] = json }
                if key == "username" || key == "name" || key == "id" { indexed = false }
            }
        case .addCredits(let ref, let amount):
            guard let i = index(of: ref) else { return }
            rows[i]["credits"] = .int((rows[i]["credits"]?.looseInt ?? 0) + amount)
        }
    }

    package static func json(_ value: FormValue) -> JSONValue? {
        switch value {
        case .null: nil
        case .bool(let flag): .int(flag ? 1 : 0)
        case .int(let n): .int(n)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .list(let items): .array(items.compactMap(json))
        case .map(let map): .object(JSONObject(map.entries.compactMap { entry in json(entry.value).map { (entry.key, $0) } }))
        }
    }
}
