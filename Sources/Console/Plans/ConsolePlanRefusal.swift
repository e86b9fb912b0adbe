/// Why a plan cannot be approved or rejected (not an approver, its author, used, expired…),
/// in the words `nightshift approve` and `reject` use.
public struct ConsolePlanRefusal: Error, Sendable, CustomStringConvertible {
    /// What is wrong and what to do.
    public var description: String

    /// Creates a refusal.
    public init(_ description: String) {
        self.description = description
    }
}
