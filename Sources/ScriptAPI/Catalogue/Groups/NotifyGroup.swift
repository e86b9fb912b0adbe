import LuaHost
import PanelAPI

/// `notify.*`: messages to the operator's notification targets (`[notify.NAME]` in
/// nightshift.toml). Grants name targets, not functions: `--allow notify.alerts`. The host
/// code is in ``GuardedPanel`` (`GuardedPanel+Notify.swift`).
package enum NotifyGroup {
    /// The largest message, as JSON, a script may send.
    package static let maxMessageBytes = 64 * 1024

    package static let group = APIGroup(
        "notify", summary: "Notifications to the operator's targets ([notify.NAME] in nightshift.toml).", grantsTargets: true,
        entries: [
            APIEntry(
                "notify.send", .write(credits: .none),
                arguments: [.init("target", "string"), .init("message", "string|table")], returns: "true",
                summary: "Sends a message to a notification target; needs `--allow notify.<target>`. A string is sent as `{\"text\": ...}`, a table as its JSON."
            ) { call in
                let target = try call.args.string(1)
                let message: JSONValue
                switch try call.args.value(2) {
                case .string(let text):
                    guard let text = text.string else { throw call.args.error(2, "text is not valid UTF-8") }
                    message = .object(["text": .string(text)])
                case .table(let table):
                    do {
                        message = try LuaJSON.json(.table(table))
                    } catch {
                        throw call.args.error(2, "cannot send as JSON: \(error)")
                    }
                default:
                    throw call.args.error(2, "string or table expected, got \(call.args.typeName(2))")
                }
                let body = JSONWriter.write(message)
                guard body.count <= maxMessageBytes else {
                    throw call.args.error(2, "message too large (\(body.count) bytes as JSON; at most \(maxMessageBytes))")
                }
                return call.panel.notify(
                    target: target, body: body, location: call.args.callerLocation(skipping: Prelude.chunkName))
            },
        ])
}
