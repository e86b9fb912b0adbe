/// The console's stylesheet and script, compiled into the binary: no CDN, no build step.
/// They are served at `/assets/NAME` by exact name; any other name is not found.
public enum ConsoleAssets {
    /// One asset.
    public struct Asset: Sendable {
        /// The `Content-Type`.
        public var contentType: String
        /// The bytes.
        public var text: String
    }

    /// The assets by name.
    public static let all: [String: Asset] = [
        "console.css": Asset(contentType: "text/css; charset=utf-8", text: stylesheet),
        "console.js": Asset(contentType: "text/javascript; charset=utf-8", text: script),
    ]

    /// Countdowns to each job's next run, updated every second. The pages work without it:
    /// the server renders the countdown as it was when the page was made.
    static let script = """
        "use strict";
        (function () {
          function words(seconds) {
            if (seconds <= 0) { return "due now"; }
            var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
            var m = Math.floor(seconds % 3600 / 60), s = Math.floor(seconds % 60);
            if (d > 0) { return "in " + d + "d " + h + "h " + m + "m"; }
            if (h > 0) { return "in " + h + "h " + m + "m " + s + "s"; }
            if (m > 0) { return "in " + m + "m " + s + "s"; }
            return "in " + s + "s";
          }
          function tick() {
            var now = Date.now() / 1000;
            var items = document.querySelectorAll("[data-countdown]");
            for (var i = 0; i < items.length; i++) {
              var at = Number(items[i].getAttribute("data-countdown"));
              if (isFinite(at)) { items[i].textContent = words(at - now); }
            }
          }
          tick();
          setInterval(tick, 1000);
        })();
        """

    static let stylesheet = """
        :root { --ink: #1b1f24; --muted: #5b6470; --line: #d5d9de; --panel: #f6f7f9; --accent: #0b5cad; --bad: #a4161a; --ok: #1d6b36; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
        header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.25rem; background: #20262e; color: #fff; flex-wrap: wrap; }
        header.top .brand { font-weight: 700; letter-spacing: .02em; }
        header.top nav a { color: #d8e2ee; text-decoration: none; margin-right: 1rem; padding: .2rem 0; }
        header.top nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
        p.states a { margin-right: .6rem; } p.states a[aria-current="page"] { color: inherit; font-weight: 600; text-decoration: none; }
        .decide { margin: 1rem 0; } .decide input[name="reason"] { width: 18rem; }
        header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; color: #d8e2ee; }
        header.top .who form { margin: 0; }
        header.top .who button { background: transparent; color: #fff; border: 1px solid #8b97a5; border-radius: 4px; padding: .15rem .6rem; cursor: pointer; }
        .insecure { background: #fff1c2; color: #4a3800; border-bottom: 2px solid #b58900; padding: .5rem 1.25rem; font-weight: 600; }
        .flash { background: #e6f2ea; border: 1px solid #9cc7a9; padding: .5rem .75rem; border-radius: 4px; margin-bottom: 1rem; }
        main { padding: 1rem 1.25rem 3rem; max-width: 1400px; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; }
        h2 { font-size: 1.1rem; margin: 1.6rem 0 .6rem; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { background: var(--panel); font-weight: 600; white-space: nowrap; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
        pre.log { background: #11161c; color: #e8edf2; padding: .75rem; border-radius: 4px; overflow: auto; max-height: 32rem; white-space: pre-wrap; word-break: break-word; }
        .muted { color: var(--muted); }
        .status { font-weight: 600; white-space: nowrap; }
        .status.bad::before { content: "✖ "; } .status.good::before { content: "✔ "; } .status.warn::before { content: "⚠ "; } .status.idle::before { content: "● "; }
        .status.bad { color: var(--bad); } .status.good { color: var(--ok); }
        form.inline { display: inline; margin: 0; }
        button, input[type=submit] { font: inherit; padding: .25rem .7rem; border-radius: 4px; border: 1px solid #8b97a5; background: #fff; cursor: pointer; }
        button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
        form.filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: var(--panel); padding: .75rem; border-radius: 4px; margin-bottom: 1rem; }
        form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); gap: .15rem; }
        input, select { font: inherit; padding: .25rem .4rem; border: 1px solid #aab2bc; border-radius: 4px; }
        .pager { margin-top: 1rem; display: flex; gap: 1rem; }
        dl.receipt { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; }
        dl.receipt dt { color: var(--muted); } dl.receipt dd { margin: 0; }
        .login { max-width: 22rem; margin: 4rem auto; padding: 1.5rem; border: 1px solid var(--line); border-radius: 6px; }
        .login label { display: block; margin-bottom: .8rem; } .login input { width: 100%; margin-top: .2rem; }
        .error-box { border-left: 4px solid var(--bad); padding: .5rem .9rem; background: #fbeaea; }
        svg.chart { width: 100%; max-width: 760px; height: auto; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
        .nowrap { white-space: nowrap; }
        .breakable { word-break: break-all; }
        """
}
