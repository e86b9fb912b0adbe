/// Turns any of the response shapes in `wire-format.md` into a reply or a typed error.
///
/// Tolerant on purpose: `result` as bool, number or string; the reason under `error`,
/// `message`, `msg` or `"0"`; JSON after PHP notices; HTML 403 pages; lists bare, wrapped in
/// `data`, or keyed by id.
public enum ResponseInterpreter {
    /// Reads `response` to `request`; `redact` scrubs the key from any echoed text.
    public static func interpret(
        _ response: TransportResponse, for request: PanelRequest, redact: (String) -> String = { $0 }
    ) throws(PanelError) -> PanelReply {
        let endpoint = request.endpoint
        let json = parseTolerantly(response.body)

        if let json, case .object(let object) = json, let verdict = object["result"] {
            if verdict.looseBool == true { return PanelReply(body: json) }
            let reason = errorText(in: object).map(redact)
            throw classify(reason, endpoint: endpoint, request: request)
        }
        if let json, case .string(let text) = json {
            // Some panels answer a bare string: "KEY WRONG".
            throw classify(redact(text), endpoint: endpoint, request: request)
        }
        if !(200..<300).contains(response.status) {
            let text = redact(visibleText(response.body))
            if response.status == 401 || response.status == 403 {
                let kind: PanelError.Kind = mentionsIP(text) ? .ipNotAllowed : .notAuthorised
                throw PanelError(kind, endpoint: endpoint, detail: "HTTP \(response.status)\(snippet(text))")
            }
            if response.status >= 500 {
                throw PanelError(
                    request.kind == .mutation ? .outcomeUnknown : .transport, endpoint: endpoint,
                    detail: "HTTP \(response.status) from the panel\(snippet(text))")
            }
            throw PanelError(.malformedResponse, endpoint: endpoint, detail: "HTTP \(response.status)\(snippet(text))")
        }
        guard let json else {
            let text = redact(visibleText(response.body))
            let why = response.body.isEmpty ? "empty answer" : "answer is not JSON\(snippet(text))"
            // The panel got the mutation; without a readable answer nobody knows if it applied.
            throw PanelError(request.kind == .mutation ? .outcomeUnknown : .malformedResponse, endpoint: endpoint, detail: why)
        }
        if case .object(let object) = json, let reason = errorText(in: object) {
            throw classify(redact(reason), endpoint: endpoint, request: request)
        }
        return PanelReply(body: json)
    }

    /// The reseller rows of a list answer in any known shape: `[...]`, `{"data":[...]}`,
    /// `{"result":true,"data":{...}}`, or an object keyed by id.
    public static func rows(of reply: PanelReply, endpoint: String) throws(PanelError) -> [JSONValue] {
        func fromContainer(_ value: JSONValue) -> [JSONValue]? {
            switch value {
            case .array(let items): return items
            case .object(let object):
                let values = object.members.map(\.value)
                guard values.allSatisfy({ if case .object = $0 { true } else { false } }) else { return nil }
                return values
            default: return nil
            }
        }
        var body = reply.body
        if case .object(let object) = body {
            for key in ["data", "resellers", "rows", "items"] {
                if let inner = object[key] { body = inner; break }
            }
            if case .object(let stillOuter) = body, stillOuter["result"] != nil {
                // {"result":true} alone: nothing to list.
                if stillOuter.members.count == 1 { return [] }
                body = .object(JSONObject(stillOuter.members.filter { $0.key != "result" }.map { ($0.key, $0.value) }))
            }
        }
        guard let rows = fromContainer(body) else {
            throw PanelError(.malformedResponse, endpoint: endpoint, detail: "expected a list of resellers")
        }
        return rows
    }

    /// Parses `bytes` as JSON; failing that, the JSON after leading PHP notices or HTML.
    static func parseTolerantly(_ bytes: [UInt8]) -> JSONValue? {
        if let value = try? JSONParser.parse(bytes) { return value }
        for opener in [UInt8(ascii: "{"), UInt8(ascii: "[")] {
            var start = bytes.firstIndex(of: opener)
            var tries = 0
            while let index = start, tries < 8 {
                if let value = try? JSONParser.parse(Array(bytes[index...])) { return value }
                start = bytes[(index + 1)...].firstIndex(of: opener)
                tries += 1
            }
        }
        return nil
    }

    /// The panel's reason in a failure object.
    static func errorText(in object: JSONObject) -> String? {
        for key in ["error", "message", "msg", "0", "reason", "status_message"] {
            if let value = object[key] {
                if let text = value.looseString, !text.isEmpty { return text }
                if case .object(let inner) = value, let text = errorText(in: inner) { return text }
            }
        }
        return nil
    }

    static func classify(_ reason: String?, endpoint: String, request: PanelRequest) -> PanelError {
        let words = reason.map(tokens) ?? []
        let denial: Set<String> = ["FORBIDDEN", "ALLOWED", "BLOCKED", "BANNED", "DENIED", "WHITELISTED", "UNAUTHORIZED"]
        if (words.contains("IP") || words.contains("IPS")) && !words.isDisjoint(with: denial) {
            return PanelError(.ipNotAllowed, endpoint: endpoint, panelMessage: reason)
        }
        // "KEY WRONG", "INVALID API KEY", "UNAUTHORIZED"; but not a database's
        // "Duplicate entry 'x' for key 'username'", which is a refusal.
        let keyProblem: Set<String> = ["WRONG", "INVALID", "BAD", "MISSING", "INCORRECT", "EXPIRED"]
        let isAuth =
            (!words.isDisjoint(with: ["KEY", "APIKEY", "API_KEY"]) && !words.isDisjoint(with: keyProblem))
            || !words.isDisjoint(with: ["UNAUTHORIZED", "UNAUTHORISED", "AUTHENTICATION"])
            || (words.contains("ACCESS") && words.contains("DENIED"))
            || (words.contains("NOT") && (words.contains("AUTHORIZED") || words.contains("AUTHORISED")))
        if isAuth {
            return PanelError(.notAuthorised, endpoint: endpoint, panelMessage: reason)
        }
        return PanelError(
            .refused, endpoint: endpoint, panelMessage: reason ?? "no reason given", detail: target(of: request))
    }

    static func target(of request: PanelRequest) -> String? {
        if let id = request.params["id"] { return "id \(id)" }
        if let name = request.params["username"] { return "username \(name)" }
        return nil
    }

    private static func tokens(_ text: String) -> Set<String> {
        Set(text.uppercased().split { !($0.isLetter || $0 == "_") }.map(String.init))
    }

    private static func mentionsIP(_ text: String) -> Bool {
        let words = tokens(text)
        return words.contains("IP") || words.contains("IPS")
    }

    /// The body as text with HTML tags removed and whitespace collapsed.
    static func visibleText(_ bytes: [UInt8]) -> String {
        var out = ""
        var inTag = false
        for char in String(decoding: bytes.prefix(4096), as: UTF8.self) {
            if char == "<" { inTag = true; continue }
            if char == ">" { inTag = false; out.append(" "); continue }
            if !inTag { out.append(char) }
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func snippet(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        return ": " + (text.count > 120 ? String(text.prefix(120)) + "..." : text)
    }
}
