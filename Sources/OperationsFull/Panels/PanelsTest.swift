import NightshiftConfig
import NightshiftCore
import Operations
import PanelAPI
import Scheduler

/// What `nightshift panels test` and `jobs check --panels` print, and which panels they test.
public enum PanelsTest {
    /// The panels `names` name (`default` is `[panel]`); none: every panel `nightshift
    /// panels` lists.
    public static func panels(_ names: [String], configuration: NightshiftConfiguration) throws(CommandFailure) -> [PanelDefinition] {
        if names.isEmpty {
            let panels = configuration.listedPanels
            guard !panels.isEmpty else {
                throw CommandFailure(.configuration, "no panels to test: add [panels.NAME] tables (or [panel]) to nightshift.toml (docs/fleets.md)")
            }
            return panels
        }
        var panels: [PanelDefinition] = []
        for name in names where !panels.contains(where: { $0.name == name }) {
            if name == PanelDefinition.defaultName {
                panels.append(configuration.defaultPanel)
                continue
            }
            guard !name.contains("://") else {
                throw CommandFailure(.configuration, "\(name): name panels of nightshift.toml ([panels.NAME], or default for [panel]), not URLs")
            }
            do {
                panels.append(try configuration.panel(name))
            } catch {
                throw CommandFailure(.configuration, error.description)
            }
        }
        return panels
    }

    /// The panels `jobs` name (`panel = "eu"`, `panels = [...]`), each once, resolved against
    /// nightshift.toml; a name it does not define is a problem naming the job.
    public static func panels(of jobs: [Job], configuration: NightshiftConfiguration) -> (panels: [PanelDefinition], problems: [String]) {
        var panels: [PanelDefinition] = []
        var problems: [String] = []
        for job in jobs {
            let names = job.panels == [PanelDefinition.allName] ? configuration.panels.map(\.name) : job.panels
            for name in names where !panels.contains(where: { $0.name == name }) {
                do {
                    panels.append(try configuration.panel(name))
                } catch {
                    problems.append("job \(job.name): panel \(name): \(error.description)")
                }
            }
        }
        return (panels, problems)
    }

    /// One line per panel: name, result, round trip, and what to do.
    public static func lines(_ results: [PanelProbe.Result]) -> [String] {
        let width = results.map(\.panel.name.count).max() ?? 0
        return results.map { result in
            let name = result.panel.name + String(repeating: " ", count: width - result.panel.name.count)
            let time = result.roundTrip.map { " in \(milliseconds($0)) ms" } ?? ""
            return "\(name)  \(result.outcome.word)\(time): \(result.advice)"
        }
    }

    /// One JSON object per panel.
    public static func json(_ results: [PanelProbe.Result]) -> String {
        let objects: [JSONValue] = results.map { result in
            var object: JSONObject = ["name": .string(result.panel.name), "result": .string(result.outcome.word)]
            object["url"] = result.panel.url.map(JSONValue.string) ?? .null
            object["passed"] = .bool(result.passed)
            object["round_trip_ms"] = result.roundTrip.map { .int(milliseconds($0)) } ?? .null
            object["key_source"] = result.source.map { .string($0.description) } ?? .null
            object["detail"] = .string(result.advice)
            return .object(object)
        }
        return String(decoding: JSONWriter.write(.array(objects)), as: UTF8.self)
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
