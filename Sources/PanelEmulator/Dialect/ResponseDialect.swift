/// How the emulated panel phrases its answers; real panels differ, so the client is tested
/// against each variant.
public struct ResponseDialect: Sendable, Hashable {
    /// How `resellers/list` is shaped.
    public enum ListShape: String, Sendable, CaseIterable {
        /// `[{...},{...}]`.
        case bare
        /// `{"result":true,"data":[...]}`.
        case wrapped
        /// `{"1":{...},"5":{...}}`: a PHP array keyed by id, as `json_encode` writes it.
        case keyed
    }

    /// How numbers in rows are written.
    public enum Numbers: String, Sendable, CaseIterable {
        /// `"credits":50`.
        case numbers
        /// `"credits":"50"`, as PDO returns them.
        case strings
    }

    /// How a wrong key or a forbidden IP is answered.
    public enum AuthFailure: String, Sendable, CaseIterable {
        /// `{"result":false,"0":"KEY WRONG"}` / `{"result":false,"0":"IP FORBIDDEN"}`.
        case zeroKey = "zero-key"
        /// `{"result":false,"error":"INVALID API KEY"}` / `{"result":false,"error":"IP NOT ALLOWED"}`.
        case errorField = "error-field"
        /// An HTML page with status 403.
        case html403 = "html-403"
    }

    /// How `result` is written.
    public enum ResultStyle: String, Sendable, CaseIterable {
        /// `true` / `false`.
        case bool
        /// `"true"` / `"false"`.
        case string
        /// `1` / `0`.
        case number
    }

    /// List shape.
    public var listShape: ListShape
    /// Numbers in rows.
    public var numbers: Numbers
    /// Wrong key / forbidden IP.
    public var authFailure: AuthFailure
    /// The `result` member.
    public var resultStyle: ResultStyle
    /// The `Content-Type` of JSON answers; panels often send `text/html`.
    public var contentType: String

    /// Creates a dialect; the default is what the vendor's PHP panels most often do.
    public init(
        listShape: ListShape = .bare, numbers: Numbers = .strings, authFailure: AuthFailure = .zeroKey,
        resultStyle: ResultStyle = .bool, contentType: String = "text/html; charset=UTF-8"
    ) {
        self.listShape = listShape
        self.numbers = numbers
        self.authFailure = authFailure
        self.resultStyle = resultStyle
        self.contentType = contentType
    }
}
