import NightshiftCore
import PanelAPI
import ScriptAPI
import ScriptRuntime

/// How a fleet ended, from its panels' runs: its status and exit code (docs/exit-codes.md),
/// the summary lines, the JSON and the receipt.
public struct FleetSummary: Sendable {
    /// The fleet's id.
    public var fleetID: String
    /// Each panel's run, in the order the panels were named.
    public var panels: [PanelOutcome]
    /// `--max-credits-total`, if given.
    public var cap: Int?
    /// live or dry-run.
    public var mode: RunMode

    /// Creates a summary.
    public init(fleetID: String, panels: [PanelOutcome], cap: Int?, mode: RunMode) {
        self.fleetID = fleetID
        self.panels = panels
        self.cap = cap
        self.mode = mode
    }

    /// `succeeded` when every panel did; the one status every panel ended with; else
    /// `outcome unknown` when any panel's is, else `failed`.
    public var status: RunStatus {
        let statuses = Set(panels.map(\.status))
        if statuses.count == 1, let only = statuses.first { return only }
        return statuses.contains(.outcomeUnknown) ? .outcomeUnknown : .failed
    }

    /// 0 when every panel succeeded; the code every panel ended with when they agree; else
    /// 4 when a write's outcome is unknown on any panel (check it before running again), else
    /// 9: some panels did not succeed.
    public var exitCode: RunExitCode {
        let codes = Set(panels.map(\.exitCode))
        if codes.count == 1, let only = codes.first, let code = RunExitCode(rawValue: only) { return code }
        if panels.contains(where: { $0.status == .outcomeUnknown }) { return .outcomeUnknown }
        return .somePanelsFailed
    }

    /// Writes sent across the fleet.
    public var writesSent: Int { panels.reduce(0) { $0 + $1.writesSent } }
    /// Credits moved across the fleet.
    public var creditsMoved: Int { panels.reduce(0) { $0 + $1.creditsMoved } }

    /// The panels that did not succeed, as one sentence: `2 of 5 panels did not succeed:
    /// us: failed (...); ap: refused (...)`; nil when all did.
    public var failures: String? {
        let failed = panels.filter { $0.status != .succeeded }
        guard !failed.isEmpty else { return nil }
        return "\(failed.count) of \(panels.count) panels did not succeed: " + failed.map(\.line).joined(separator: "; ")
    }

    /// The receipt the scheduler reads (`--result-file`): the fleet's id and status, the
    /// sums, and every panel's run. A retry is safe only when no panel sent anything and
    /// every failure was the panel being unusable.
    public func receipt(notificationsSent: Int) -> RunReceipt {
        let failedKinds = Set(panels.filter { $0.status != .succeeded }.map(\.errorKind))
        var receipt = RunReceipt(
            runID: fleetID, status: status, exitCode: exitCode.rawValue, error: failures,
            errorKind: failedKinds.count == 1 ? failedKinds.first! : nil, writesSent: writesSent, creditsMoved: creditsMoved,
            notificationsSent: notificationsSent)
        receipt.panels = panels
        return receipt
    }

    /// The summary for the terminal: one line for the fleet, one per panel.
    public var lines: [String] {
        var counts: [(RunStatus, Int)] = []
        for panel in panels {
            if let index = counts.firstIndex(where: { $0.0 == panel.status }) {
                counts[index].1 += 1
            } else {
                counts.append((panel.status, 1))
            }
        }
        counts.sort { ($0.0 == .succeeded ? 0 : 1) < ($1.0 == .succeeded ? 0 : 1) }
        let planned = mode == .dryRun
        var head = "fleet \(fleetID) [\(mode.rawValue)]: \(panels.count) panel\(panels.count == 1 ? "" : "s"): "
        head += counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ")
        head += planned ? "; \(creditsMoved) credits planned" : "; \(Self.writes(writesSent)) sent, \(creditsMoved) credits moved"
        if let cap { head += " (fleet cap \(cap))" }
        let width = panels.map(\.panel.count).max() ?? 0
        let statusWidth = panels.map(\.status.rawValue.count).max() ?? 0
        return [head]
            + panels.map { panel in
                var line = "  " + panel.panel.padding(width) + "  " + panel.status.rawValue.padding(statusWidth)
                line += "  run " + (panel.runID ?? "-")
                line += planned ? "  \(panel.creditsMoved) credits planned" : "  \(Self.writes(panel.writesSent)) sent, \(panel.creditsMoved) credits moved"
                if let error = panel.error { line += ": \(error)" }
                return line
            }
    }

    /// `1 write`, `3 writes`.
    static func writes(_ count: Int) -> String { "\(count) write\(count == 1 ? "" : "s")" }

    /// The fleet's `--json` object: the fleet, and each panel's run as `run --json` shows
    /// one, with its panel's name.
    public func json(script: String, runs: [JSONObject]) -> String {
        var object: JSONObject = [
            "fleet_id": .string(fleetID), "script": .string(script), "mode": .string(mode.rawValue),
            "status": .string(status.rawValue), "exit_code": .int(Int(exitCode.rawValue)),
            "writes_sent": .int(writesSent), "credits_moved": .int(creditsMoved),
        ]
        object["max_credits_total"] = cap.map(JSONValue.int) ?? .null
        object["panels"] = .array(
            zip(panels, runs).map { panel, run in
                var run = run
                run["panel"] = .string(panel.panel)
                return .object(run)
            })
        return RunReport.object(object)
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
