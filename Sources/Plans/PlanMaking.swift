import Foundation
import PanelAPI
import ScriptAPI

extension Plan {
    /// What a plan is made from besides the dry-run's writes and reads.
    public struct Context: Sendable {
        /// The panel's URL and key fingerprint.
        public var panel: Panel
        /// The script's path and SHA-256.
        public var script: Content
        /// The modules it loaded.
        public var modules: [Content]
        /// `--arg` pairs.
        public var arguments: [Argument]
        /// The grant.
        public var grant: Grant
        /// What to bind.
        public var binding: Binding
        /// Who makes it.
        public var author: String
        /// When it is made.
        public var now: Date
        /// How long it may wait to be applied.
        public var lifetime: TimeInterval

        /// Creates one.
        public init(
            panel: Panel, script: Content, modules: [Content], arguments: [Argument], grant: Grant, binding: Binding,
            author: String, now: Date, lifetime: TimeInterval
        ) {
            self.panel = panel
            self.script = script
            self.modules = modules
            self.arguments = arguments
            self.grant = grant
            self.binding = binding
            self.author = author
            self.now = now
            self.lifetime = lifetime
        }
    }

    /// A fresh single-use id: `p-` and 32 random hex digits.
    static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return "p-" + (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator)) }.joined()
    }

    /// The default of `--expires`: a day.
    public static let defaultLifetime: TimeInterval = 24 * 3600

    /// A plan of a dry-run's writes (and, with ``Binding/reads``, its reads), with a fresh
    /// single-use id and its digest.
    /// - Throws: when a write cannot be replayed exactly (it names a record another write of
    ///   the plan creates, whose id only the panel can give).
    public init(writes: [Write], reads: [ReadAnswer], context: Context) throws(PlanRefusal) {
        for (index, write) in writes.enumerated() {
            if let note = write.replayNote {
                throw PlanRefusal(.format, "write \(index + 1) (\(write.endpoint) \(write.targetLabel)) cannot be planned: \(note)")
            }
        }
        id = Self.newID()
        createdAt = Self.iso(context.now)
        expiresAt = Self.iso(context.now.addingTimeInterval(context.lifetime))
        author = context.author
        panel = context.panel
        script = context.script
        modules = context.modules
        arguments = context.arguments
        grant = GrantRecord(
            allow: context.grant.allowed.map(\.rawValue).sorted(), maxCredits: context.grant.maxCredits,
            maxCreditsPerReseller: context.grant.maxCreditsPerReseller)
        binding = context.binding
        self.writes = writes.map(PlannedWrite.init)
        var bound: [BoundRead] = []
        if context.binding == .reads {
            var seen = Set<String>()
            for answer in reads {
                let request = answer.read.request
                // The first answer of each distinct read is what the script decided on.
                guard seen.insert(request.redactedDescription).inserted else { continue }
                let function = answer.read.function?.rawValue ?? request.endpoint
                if function == APIFunction.resellersList.rawValue,
                    let resellers = try? Reseller.list(from: answer.reply, endpoint: request.endpoint)
                {
                    bound.append(
                        BoundRead(
                            function: function, group: request.group, action: request.action, form: request.params,
                            records: Self.records(of: resellers), answerSHA256: nil))
                } else {
                    bound.append(
                        BoundRead(
                            function: function, group: request.group, action: request.action, form: request.params,
                            records: nil, answerSHA256: ContentHash.sha256(JSONWriter.write(answer.reply.body))))
                }
            }
        }
        self.reads = bound
        approvals = []
        rejections = []
        digest = ""
        digest = computedDigest
    }

    /// `2026-12-07T10:00:00.000Z`.
    public static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// Writes the plan to `path` whole or not at all (a temporary file renamed into place).
    /// - Parameter replacing: false refuses a path that exists (a plan there may hold
    ///   approvals); `approve` and `reject` replace the file they read.
    public func write(to path: String, replacing: Bool) throws(PlanRefusal) {
        try Self.writeWhole(fileText, to: path, replacing: replacing)
    }

    /// Writes a plan file's `text` to `path` whole or not at all.
    static func writeWhole(_ fileText: String, to path: String, replacing: Bool) throws(PlanRefusal) {
        if !replacing, FileManager.default.fileExists(atPath: path) {
            throw PlanRefusal(.format, "\(path) exists: a plan there may hold approvals; choose another --out or remove it first")
        }
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(fileText.utf8)) else {
            throw PlanRefusal(.format, "cannot write \(path): check the folder exists and can be written")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw PlanRefusal(.format, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
