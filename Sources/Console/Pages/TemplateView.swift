import Mustache

/// A value the templates read by name through a table of its fields, not by reflection:
/// swift-mustache's default lookup makes a `Mirror` for every `{{name}}` and walks its
/// children, which cost a page of 100 rows tens of milliseconds (`nightshift-bench console`).
protocol TemplateView: MustacheParent {
    /// Each name a template uses, and how to read it.
    static var fields: [String: @Sendable (Self) -> Any?] { get }
}

extension TemplateView {
    func child(named name: String) -> Any? {
        Self.fields[name]?(self) ?? nil
    }
}
