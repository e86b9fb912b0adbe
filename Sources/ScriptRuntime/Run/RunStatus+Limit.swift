import LuaHost
import NightshiftCore

extension RunStatus {
    /// The status a Lua limit maps to.
    public init(_ limit: LuaLimit) {
        switch limit {
        case .time: self = .timedOut
        case .memory: self = .memoryLimit
        case .instructions: self = .instructionLimit
        case .interrupted: self = .interrupted
        case .tasks: self = .taskLimit
        case .stopped: self = .failed
        }
    }
}
