/// A place scripts may send notifications to, defined by the operator in nightshift.toml
/// (`[notify.NAME]`) and granted per run with `--allow notify.NAME`. Scripts name it and
/// never see where it leads.
public struct NotifyTarget: Sendable, Equatable {
    /// How a notification reaches the target.
    public enum Delivery: Sendable, Equatable {
        /// A POST of the JSON message to this URL (a secret: redacted everywhere).
        case webhook(String)
        /// A program run with the JSON message on its standard input (`["prog", "arg"]`).
        case command([String])
    }

    /// The name scripts and grants use (`alerts` for `notify.send("alerts", ...)`).
    public var name: String
    /// Where the message goes.
    public var delivery: Delivery

    /// Creates a target.
    public init(name: String, delivery: Delivery) {
        self.name = name
        self.delivery = delivery
    }

    /// How plans and the audit log name it: `notify.alerts (webhook)`; never the URL.
    public var label: String {
        switch delivery {
        case .webhook: "notify.\(name) (webhook)"
        case .command(let argv): "notify.\(name) (command \(argv.first ?? "?"))"
        }
    }

    /// Whether `name` may name a target: letters, digits, `_` and `-`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }
}
