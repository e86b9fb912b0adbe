import Foundation
import NightshiftCore

/// What `nightshift jobs check` and `nightshift schedule` look at before any slot comes: the
/// files each job's run needs that cannot be read, and schedules this release reads
/// differently from earlier ones.
public enum JobCheck {
    /// One thing found about one job.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        /// How much it matters.
        public enum Kind: Sendable, Hashable {
            /// The job's runs would fail: a script or module folder cannot be read.
            case unreadable
            /// The schedule fires at other times than it did before 0.2.0.
            case scheduleChanged
        }

        /// The job's name.
        public let job: String
        /// What kind of finding.
        public let kind: Kind
        /// What is wrong and what to do, without the job's name.
        public let message: String

        /// `job NAME: message`.
        public var description: String { "job '\(job)': \(message)" }
    }

    /// Checks every job.
    /// - Parameter modulePaths: the module folders every run gets (`[modules] paths` of the
    ///   nightshift.toml the runs will read); a job's own `--module-path` flags are added.
    public static func findings(_ configuration: JobConfiguration, modulePaths: [String]) -> [Finding] {
        var findings: [Finding] = []
        for job in configuration.jobs {
            if job.command == nil {
                do {
                    _ = try FileRead.bytes(job.script, what: "the script")
                } catch {
                    findings.append(Finding(job: job.name, kind: .unreadable, message: error.description))
                }
                for folder in modulePaths + moduleFlags(job.runFlags) {
                    if let problem = folderProblem(folder) {
                        findings.append(Finding(job: job.name, kind: .unreadable, message: problem))
                    }
                }
            }
            if case .cron(let expression) = job.schedule {
                for change in expression.changedSinceEarlierReleases {
                    findings.append(
                        Finding(
                            job: job.name, kind: .scheduleChanged,
                            message: "schedule '\(expression.source)': \(change); its fire times changed with 0.2.0"
                                + " (check them with nightshift cron next)"))
                }
            }
        }
        return findings
    }

    /// The folders named by `--module-path DIR` or `--module-path=DIR` in a job's run flags.
    static func moduleFlags(_ flags: [String]) -> [String] {
        var folders: [String] = []
        var index = flags.startIndex
        while index < flags.endIndex {
            let flag = flags[index]
            if flag == "--module-path", index + 1 < flags.endIndex {
                folders.append(flags[index + 1])
                index += 2
                continue
            }
            if flag.hasPrefix("--module-path=") { folders.append(String(flag.dropFirst("--module-path=".count))) }
            index += 1
        }
        return folders
    }

    /// Why `require` could not search `folder`, or nil if it can.
    static func folderProblem(_ folder: String) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else {
            return "cannot read the module folder \(folder): no such folder; check [modules] paths or --module-path"
        }
        guard isFolder.boolValue else {
            return "cannot read the module folder \(folder): it is a file, not a folder"
        }
        guard access(folder, R_OK | X_OK) == 0 else {
            return "cannot read the module folder \(folder): permission denied; check its owner and mode (ls -ld \(folder))"
        }
        return nil
    }
}
