import PanelAPI

extension PanelEmulator {
    func new(_ post: PHPArray) async throws -> JSONObject {
        guard let data = post["data"]?.array else { throw Refusal(message: "PARAMETER ERROR (data)") }
        guard let name = (data["name"] ?? data["username"])?.string, !name.isEmpty else {
            throw Refusal(message: "PARAMETER ERROR (name)")
        }
        let credits = try integer(data["credits"], field: "credits") ?? 0
        guard credits >= 0 else { throw Refusal(message: "PARAMETER ERROR (credits)") }
        let connections = try integer(data["max_allowed_connections"], field: "max_allowed_connections") ?? 1
        let useCredits = data["use_credits"].map(Self.truthy) ?? true
        var extra = JSONObject()
        for (key, value) in data.entries
        where !["name", "username", "credits", "max_allowed_connections", "use_credits"].contains(key) {
            extra[key] = Self.jsonValue(value)
        }
        do {
            let id = try await store.create(
                username: name, credits: credits, maxAllowedConnections: connections, useCredits: useCredits,
                extra: extra)
            return ["result": result(true), "created_id": .int(id)]
        } catch ResellerStore.Failure.exists {
            throw Refusal(message: "EXISTS")
        }
    }

    func update(_ post: PHPArray) async throws -> JSONObject {
        let target = try self.target(post)
        guard let data = post["data"]?.array, !data.isEmpty else { throw Refusal(message: "PARAMETER ERROR (data)") }
        var changes: [(String, PHPInput)] = []
        for (key, value) in data.entries {
            switch key {
            case "credits", "max_allowed_connections", "status":
                guard try integer(value, field: key) != nil else { throw Refusal(message: "PARAMETER ERROR (\(key))") }
            case "name", "username":
                guard let name = value.string, !name.isEmpty else { throw Refusal(message: "PARAMETER ERROR (\(key))") }
            default: break
            }
            changes.append((key, value))
        }
        if case .id(let id) = target, id <= 0 { throw Refusal(message: "NOT EXISTS") }
        let frozen = changes
        do {
            try await store.update(target) { reseller in
                for (key, value) in frozen {
                    switch key {
                    case "credits":
                        reseller.credits = Self.parseInteger(value.string) ?? reseller.credits
                        if reseller.credits < 0 { throw Refusal(message: "PARAMETER ERROR (credits)") }
                    case "max_allowed_connections":
                        reseller.maxAllowedConnections = Self.parseInteger(value.string) ?? reseller.maxAllowedConnections
                    case "status": reseller.status = Self.parseInteger(value.string) ?? reseller.status
                    case "use_credits": reseller.useCredits = Self.truthy(value)
                    case "name", "username": reseller.username = value.string ?? reseller.username
                    default: reseller.extra[key] = Self.jsonValue(value)
                    }
                }
            }
        } catch ResellerStore.Failure.notFound {
            throw Refusal(message: "NOT EXISTS")
        } catch ResellerStore.Failure.exists {
            throw Refusal(message: "EXISTS")
        }
        return ["result": result(true)]
    }

    func addCredits(_ post: PHPArray) async throws -> JSONObject {
        let target = try self.target(post)
        guard let amount = try integer(post["credits"], field: "credits") else {
            throw Refusal(message: "PARAMETER ERROR (credits)")
        }
        do {
            try await store.addCredits(amount, to: target)
        } catch ResellerStore.Failure.notFound {
            throw Refusal(message: "NOT EXISTS")
        } catch ResellerStore.Failure.notEnoughCredits {
            throw Refusal(message: "NOT ENOUGH CREDITS")
        }
        return ["result": result(true)]
    }

    func list() async throws -> JSONValue {
        let stored = try await store.all()
        let rows = stored.map(row)
        switch settings.dialect.listShape {
        case .bare: return .array(rows)
        case .wrapped: return .object(["result": result(true), "data": .array(rows)])
        case .keyed: return .object(JSONObject(zip(stored, rows).map { (String($0.id), $1) }))
        }
    }

    func row(_ reseller: StoredReseller) -> JSONValue {
        let asStrings = settings.dialect.numbers == .strings
        func number(_ value: Int) -> JSONValue { asStrings ? .string(String(value)) : .int(value) }
        var object: JSONObject = [
            "id": number(reseller.id), "username": .string(reseller.username), "credits": number(reseller.credits),
            "max_allowed_connections": number(reseller.maxAllowedConnections),
            "use_credits": number(reseller.useCredits ? 1 : 0), "status": number(reseller.status),
        ]
        for (key, value) in reseller.extra.members {
            if case .int(let n) = value { object[key] = number(n) } else { object[key] = value }
        }
        return .object(object)
    }

    // MARK: PHP-style argument reading

    private func target(_ post: PHPArray) throws -> ResellerRef {
        if let raw = post["id"] {
            guard let id = Self.parseInteger(raw.string) else { throw Refusal(message: "NOT EXISTS") }
            return .id(id)
        }
        if let name = post["username"]?.string, !name.isEmpty { return .username(name) }
        throw Refusal(message: "PARAMETER ERROR (id or username)")
    }

    private func integer(_ input: PHPInput?, field: String) throws -> Int? {
        guard let input else { return nil }
        guard let value = Self.parseInteger(input.string) else { throw Refusal(message: "PARAMETER ERROR (\(field))") }
        return value
    }

    /// PHP's `is_numeric` followed by an integral check: " 25", "25.0" and "2.5e1" are 25.
    static func parseInteger(_ text: String?) -> Int? {
        guard let text else { return nil }
        let trimmed = String(text.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        if let value = Int(trimmed) { return value }
        if let value = Double(trimmed), value.isFinite, value.rounded() == value, abs(value) < 9.0e18 {
            return Int(value)
        }
        return nil
    }

    /// PHP truthiness of a request value: "" and "0" are false, everything else (even "false") true.
    static func truthy(_ input: PHPInput) -> Bool {
        switch input {
        case .string(let text): !(text.isEmpty || text == "0")
        case .array(let array): !array.isEmpty
        }
    }

    static func jsonValue(_ input: PHPInput) -> JSONValue {
        switch input {
        case .string(let text): .string(text)
        case .array(let array): .object(JSONObject(array.entries.map { ($0.key, jsonValue($0.value)) }))
        }
    }
}
