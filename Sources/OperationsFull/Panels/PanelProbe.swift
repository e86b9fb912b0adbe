import Logging
import NightshiftConfig
import Operations
import PanelAPI

/// `nightshift panels test`: whether each panel can be used, told apart by what to do about
/// it: reachable (a connection), TLS valid (for `https://`), key accepted (one
/// `resellers/list`), and the round trip of that call.
public enum PanelProbe {
    /// How one panel's test ended.
    public enum Outcome: Sendable, Equatable {
        /// Reachable, TLS valid when used, key accepted.
        case passed(resellers: Int)
        /// No usable key (or URL) in the configuration: nothing was sent.
        case configuration(String)
        /// Nothing listens at the panel's address and port.
        case connectionRefused(String)
        /// The host or its network cannot be reached, or its name does not resolve.
        case unreachable(String)
        /// The TLS handshake failed.
        case tls(String)
        /// The panel refused the key.
        case invalidKey(String)
        /// The panel does not take calls from this host's address.
        case addressNotAllowed(String)
        /// No answer in time.
        case timedOut(String)
        /// Anything else the panel or the network did.
        case failed(String)

        /// One or two words for the table: `ok`, `connection refused`, `invalid API key`, ...
        public var word: String {
            switch self {
            case .passed: "ok"
            case .configuration: "not tested"
            case .connectionRefused: "connection refused"
            case .unreachable: "unreachable"
            case .tls: "TLS error"
            case .invalidKey: "invalid API key"
            case .addressNotAllowed: "address not allowed"
            case .timedOut: "timed out"
            case .failed: "failed"
            }
        }
    }

    /// One panel's result.
    public struct Result: Sendable {
        /// The panel.
        public var panel: PanelDefinition
        /// How it went.
        public var outcome: Outcome
        /// Where its key came from, when one was found.
        public var source: KeySource?
        /// The round trip of the `list` call, when one came back.
        public var roundTrip: Duration?

        /// Whether the panel can be used.
        public var passed: Bool { if case .passed = outcome { true } else { false } }

        /// What happened, and what to do about it, in one line.
        public var advice: String {
            let url = panel.url ?? "?"
            switch outcome {
            case .passed(let resellers):
                let tls = url.hasPrefix("https://") ? "TLS valid, " : "plain HTTP (no TLS), "
                return "reachable, \(tls)key accepted (\(resellers) resellers listed)"
            case .configuration(let words):
                return words
            case .connectionRefused(let words):
                return "\(words): nothing answers there; check that the panel runs, the port in its url (8000 for http, 8001 for https) and that no firewall rejects this host"
            case .unreachable(let words):
                return "\(words): check the host name in its url and this host's network and DNS"
            case .tls(let words):
                return "\(words): give the panel a certificate valid for its name from an authority this host trusts, or check that https:// is the panel's TLS port (8001)"
            case .invalidKey(let words):
                let from = source.map { " from \($0)" } ?? ""
                return "\(words): the panel refused the key\(from); copy the key again from the panel's General Settings > API Settings"
            case .addressNotAllowed(let words):
                return "\(words): add this host's public address to Allowed IPs in the panel's General Settings > API Settings"
            case .timedOut(let words):
                return "\(words): the panel may be overloaded, or a firewall drops this host's packets"
            case .failed(let words):
                return words
            }
        }
    }

    /// Tests `panels` at once, each with one `resellers/list` (never retried) and no longer
    /// than `timeout`; results in the order given.
    public static func test(
        _ panels: [PanelDefinition], keys: PanelKeys, timeout: Duration, logger: Logger
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, panel) in panels.enumerated() {
                group.addTask { (index, await test(panel, keys: keys, timeout: timeout, logger: logger)) }
            }
            var results: [Result?] = Array(repeating: nil, count: panels.count)
            for await (index, result) in group { results[index] = result }
            return results.compactMap { $0 }
        }
    }

    /// Tests one panel.
    public static func test(_ panel: PanelDefinition, keys: PanelKeys, timeout: Duration, logger: Logger) async -> Result {
        var result = Result(panel: panel, outcome: .passed(resellers: 0))
        let connection: PanelConnection
        do {
            let key = try keys.key(for: panel)
            result.source = key.source
            connection = try PanelConnection.http(
                panel, key: key, within: timeout,
                politeness: PanelConnection.Politeness(concurrency: 1, rate: nil), retry: .none, logger: logger)
        } catch let failure as PanelKeys.Failure {
            result.outcome = .configuration(failure.description)
            return result
        } catch {
            result.outcome = .configuration("\(error)")
            return result
        }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let resellers = try await connection.client.list()
            result.roundTrip = start.duration(to: clock.now)
            result.outcome = .passed(resellers: resellers.count)
        } catch {
            result.outcome = outcome(of: error)
            if error.kind == .notAuthorised || error.kind == .ipNotAllowed || error.kind == .refused {
                result.roundTrip = start.duration(to: clock.now)
            }
        }
        await connection.shutdown()
        return result
    }

    /// The outcome a failed `list` means.
    static func outcome(of error: PanelError) -> Outcome {
        let words = error.description
        switch error.kind {
        case .notAuthorised: return .invalidKey(words)
        case .ipNotAllowed: return .addressNotAllowed(words)
        case .timeout: return .timedOut(words)
        case .transport:
            switch error.cause {
            case .connectionRefused?: return .connectionRefused(words)
            case .unreachable?, .nameNotResolved?: return .unreachable(words)
            case .tls?: return .tls(words)
            case nil: return .failed(words)
            }
        default: return .failed(words)
        }
    }
}
