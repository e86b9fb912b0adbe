/// Counts the credits a run has moved, in total and per reseller, and refuses a change that
/// would pass a cap. Exact integer arithmetic; overflow counts as passing the cap.
public struct CreditLedger: Sendable, Equatable {
    /// The grant's caps.
    public let grant: Grant
    /// Credits moved so far (sum of absolute changes).
    public private(set) var total: Int = 0
    /// Credits moved so far per reseller key (`id:5`, `username:bob`, `new:carol`).
    public private(set) var perReseller: [String: Int] = [:]

    /// Starts an empty ledger for `grant`.
    public init(grant: Grant) { self.grant = grant }

    /// Why a change is refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The run's total would pass `--max-credits`.
        case runCap(change: Int, used: Int, cap: Int)
        /// The reseller's total would pass `--max-credits-per-reseller`.
        case resellerCap(change: Int, used: Int, cap: Int)

        /// What happened and what to do, in one sentence.
        public var description: String {
            switch self {
            case .runCap(let change, let used, let cap) where cap == 0:
                "a change of \(change) credits needs a credit cap; this run may move none (grant one with --max-credits N); \(used) moved so far"
            case .runCap(let change, let used, let cap):
                "a change of \(change) credits would pass the run's cap of \(cap) (\(used) moved so far)"
            case .resellerCap(let change, let used, let cap):
                "a change of \(change) credits would pass the per-reseller cap of \(cap) (\(used) moved for this reseller so far)"
            }
        }
    }

    /// Checks that moving `change` credits (either sign) for `reseller` stays within the caps.
    public func check(_ change: Int, reseller: String) throws(Refusal) {
        guard change != 0 else { return }
        let size = change.magnitude
        let (newTotal, totalOverflow) = total.addingReportingOverflow(Int(clamping: size))
        if totalOverflow || size > UInt(Int.max) || newTotal > grant.maxCredits {
            throw .runCap(change: change, used: total, cap: grant.maxCredits)
        }
        if let cap = grant.maxCreditsPerReseller {
            let used = perReseller[reseller] ?? 0
            let (newUsed, overflow) = used.addingReportingOverflow(Int(clamping: size))
            if overflow || newUsed > cap { throw .resellerCap(change: change, used: used, cap: cap) }
        }
    }

    /// Records `change` as moved (call after ``check(_:reseller:)`` passed).
    public mutating func commit(_ change: Int, reseller: String) {
        guard change != 0 else { return }
        let size = Int(clamping: change.magnitude)
        total = total.addingReportingOverflow(size).partialValue
        guard grant.maxCreditsPerReseller != nil else { return }
        perReseller[reseller, default: 0] = (perReseller[reseller] ?? 0).addingReportingOverflow(size).partialValue
    }

    /// Gives back a change recorded by ``commit(_:reseller:)`` whose write was certainly not applied.
    public mutating func release(_ change: Int, reseller: String) {
        guard change != 0 else { return }
        let size = Int(clamping: change.magnitude)
        total = max(0, total - size)
        perReseller[reseller] = max(0, (perReseller[reseller] ?? 0) - size)
    }

    /// Moves credits counted for one key to another (a username resolved to an id later).
    public mutating func merge(_ from: String, into to: String) {
        guard from != to, let moved = perReseller.removeValue(forKey: from) else { return }
        perReseller[to, default: 0] += moved
    }
}
