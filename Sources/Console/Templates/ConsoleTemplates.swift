import Mustache

/// The console's mustache templates, compiled into the binary. Every page extends `layout`
/// (`{{<layout}}{{$content}}…{{/content}}{{/layout}}`). Values are written with `{{name}}`,
/// which escapes HTML; the only unescaped value anywhere is the Panel's chart (`{{{chart}}}`),
/// markup `CreditsChart` makes and escapes itself. `ConsoleTests` holds every template to that.
public enum ConsoleTemplates {
    /// Every template by name.
    public static let sources: [String: String] = [
        "layout": layout, "login": login, "error": error, "jobs": jobs, "job": job, "runs": runs, "run": run,
        "panel": panel, "audit": audit, "actions": actions, "plans": plans, "plan": plan,
    ]

    /// The library the pages render with.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            // The templates are constants of this module: a parse error is a bug caught by every test.
            try! library.register(text, named: name)
        }
        return library
    }()
}
