import NightshiftConfig
import Operations
import PanelAPI
import Plans

/// `nightshift panels`: the panels nightshift.toml names, each with where its key comes from
/// and the key's fingerprint (as plans record it), never the key.
public enum PanelListing {
    /// One panel as listed.
    public struct Row: Sendable {
        /// The panel, with what it takes from `[panel]` filled in.
        public var panel: PanelDefinition
        /// Its key's fingerprint (`sha256:...`), when a key was found.
        public var fingerprint: String?
        /// Where the key was found.
        public var source: KeySource?
        /// Why no key could be used, when none could.
        public var problem: String?
    }

    /// `[panel]` (when it has a URL) and every `[panels.NAME]`, in name order.
    public static func rows(_ configuration: NightshiftConfiguration, keys: PanelKeys) -> [Row] {
        configuration.listedPanels.map { panel in
            do throws(PanelKeys.Failure) {
                let key = try keys.key(for: panel)
                return Row(panel: panel, fingerprint: Plan.fingerprint(of: key.secret), source: key.source)
            } catch {
                return Row(panel: panel, problem: error.description)
            }
        }
    }

    /// The rows as a table (a header first) for the terminal.
    public static func table(_ rows: [Row]) -> [[String]] {
        [["PANEL", "URL", "KEY", "FROM", "POLITENESS"]]
            + rows.map { row in
                let panel = row.panel
                let politeness =
                    "concurrency \(panel.concurrency ?? PanelConfiguration.defaultConcurrency)"
                    + (panel.rate.map { ", rate \($0.rateText)/s" } ?? "") + (panel.keyInURL == true ? ", key in URL" : "")
                return [
                    panel.name, panel.url ?? "-", row.fingerprint.map { String($0.prefix(19)) + "..." } ?? "none",
                    row.source?.description ?? "-", politeness,
                ]
            }
    }

    /// What to say under the table: each panel's key problem, and named panels whose key
    /// comes from the environment (which a fleet does not use).
    public static func notes(_ rows: [Row]) -> [String] {
        var notes: [String] = []
        for row in rows {
            let name = row.panel.name
            if let problem = row.problem { notes.append("\(name): \(problem)") }
            let fromEnvironment: Bool
            switch row.source {
            case .variable?, .keyFileVariable?, .handedOver?: fromEnvironment = true
            default: fromEnvironment = false
            }
            if fromEnvironment && name != PanelDefinition.defaultName {
                notes.append(
                    "\(name): its key comes from the environment, which serves runs on one panel only: a fleet (--panels) needs key_file or the credential \(PanelKeys.credentialName(name))")
            }
        }
        return notes
    }

    /// The rows as JSON: one object per panel.
    public static func json(_ rows: [Row]) -> String {
        let objects: [JSONValue] = rows.map { row in
            var object: JSONObject = ["name": .string(row.panel.name)]
            object["url"] = row.panel.url.map(JSONValue.string) ?? .null
            object["key_fingerprint"] = row.fingerprint.map(JSONValue.string) ?? .null
            object["key_source"] = row.source.map { .string($0.description) } ?? .null
            object["key_problem"] = row.problem.map(JSONValue.string) ?? .null
            object["concurrency"] = .int(row.panel.concurrency ?? PanelConfiguration.defaultConcurrency)
            object["rate"] = row.panel.rate.map(JSONValue.double) ?? .null
            object["key_in_url"] = .bool(row.panel.keyInURL == true)
            return .object(object)
        }
        return String(decoding: JSONWriter.write(.array(objects)), as: UTF8.self)
    }
}

extension Double {
    /// `20` rather than `20.0`; `2.5` as it is.
    var rateText: String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
