import Console
import Foundation
import RunRecords
import Scheduler
import Testing

/// The console's small parts: schedules in words, the chart, forms, CSV cells.
@Suite("The console's parts")
struct PartsTests {
    @Test(
        "schedules read in words",
        arguments: [
            ("0 3 * * *", "every day at 03:00"),
            ("30 2 * * 1-5", "at 02:30, on Monday to Friday"),
            ("*/15 * * * *", "every 15 minutes"),
            ("0 * * * *", "every hour, on the hour"),
            ("0 0 1 * *", "at 00:00, on day 1 of the month"),
            ("0 9 * * MON,THU", "at 09:00, on Monday and Thursday"),
            ("0 0 1 1 *", "at 00:00, on day 1 of the month, in January"),
            ("0 12 1 * 0", "at 12:00, on day 1 of the month or on Sunday"),
            ("5 */2 * * *", "every 2 hours at minute 5"),
            ("@daily", "every day at 00:00"),
            ("@every 15m", "every 15 minutes"),
            ("@every 1h", "every hour"),
            ("@every 90s", "every 90 seconds"),
        ])
    func words(expression: String, words: String) throws {
        #expect(ScheduleWords.describe(try Schedule(expression)) == words)
    }

    @Test("a form field given twice has no value; + is a space; %-escapes are decoded")
    func formFields() {
        let fields = FormFields("a=1&b=two+words&c=%3Cx%3E&a=2&d=&=skip")
        #expect(fields["a"] == nil && fields.contains("a"))
        #expect(fields["b"] == "two words" && fields["c"] == "<x>" && fields["d"] == "")
        #expect(fields.text("d") == nil && fields["skip"] == nil)
    }

    @Test("CSV cells: formula starts get an apostrophe, quotes are doubled, numbers stay numbers")
    func csvCells() {
        #expect(CSVText.text("=1+1") == "\"'=1+1\"")
        #expect(CSVText.text("+1") == "\"'+1\"" && CSVText.text("-1") == "\"'-1\"" && CSVText.text("@A1") == "\"'@A1\"")
        #expect(CSVText.text("\rX") == "\"'\rX\"")
        #expect(CSVText.text("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.text(nil) == "\"\"")
        #expect(CSVText.number(-250) == "-250")
        #expect(CSVText.row(["a", "b"]) == "a,b\r\n")
    }

    @Test("the chart stacks each day's credits per reseller, five named and the rest as others")
    func chartSeries() {
        let rows = (1...7).map { AuditDailyCredits(day: "2026-01-02", target: "r\($0)", credits: $0 * 100) }
            + [AuditDailyCredits(day: "2026-01-03", target: "r7", credits: -300)]
        let chart = CreditsChart(rows, days: ["2026-01-01", "2026-01-02", "2026-01-03"])
        #expect(chart.series == ["r7", "r6", "r5", "r4", "r3", "others"])
        #expect(chart.days.map(\.total) == [0, 2800, -300])
        #expect(chart.days[1].credits == [700, 600, 500, 400, 300, 300])
        let svg = chart.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        // Readable without colour: a pattern per series, named in the legend; totals as text.
        for index in 0..<6 { #expect(svg.contains("fill=\"url(#p\(index))\"")) }
        #expect(svg.contains(">others</text>") && svg.contains(">2\u{2009}800</text>") && svg.contains(">−300</text>"))
    }

    @Test("the chart escapes every name it writes")
    func chartEscapes() {
        let chart = CreditsChart(
            [AuditDailyCredits(day: "2026-01-02", target: "<script>x</script>\"'&", credits: 5)], days: ["2026-01-02"])
        #expect(!chart.svg.contains("<script>"))
        #expect(chart.svg.contains("&lt;script&gt;x&lt;/script&gt;&quot;&#39;&amp;"))
    }

    @Test("no template writes a value unescaped but the chart")
    func templatesEscape() {
        for (name, text) in ConsoleTemplates.sources {
            var rest = Substring(text)
            while let open = rest.range(of: "{{{") {
                let close = rest[open.upperBound...].range(of: "}}}")!
                #expect(name == "panel" && rest[open.upperBound..<close.lowerBound] == "chart", "\(name) writes {{{\(rest[open.upperBound..<close.lowerBound])}}}")
                rest = rest[close.upperBound...]
            }
            #expect(!text.contains("{{&"), "\(name) uses {{& (unescaped)")
        }
    }

    @Test("a flood of login forms cannot push a logged-in session out of a full session store")
    func eviction() async {
        let sessions = SessionStore(clock: TestClock(), idle: 1800, capacity: 10)
        let ada = await sessions.login(replacing: nil, user: "ada", role: .admin)
        for _ in 0..<100 { _ = await sessions.anonymous() }
        #expect(await sessions.session(ada.id)?.user == "ada")
        #expect(await sessions.count <= 10)
    }

    @Test("a session in use still ends 12 hours after login")
    func lifetime() async {
        let clock = TestClock()
        let sessions = SessionStore(clock: clock, idle: 1800)
        let ada = await sessions.login(replacing: nil, user: "ada", role: .admin)
        for _ in 0..<24 {
            clock.advance(1799)
            #expect(await sessions.session(ada.id) != nil)
        }
        clock.advance(1799)
        #expect(await sessions.session(ada.id) == nil)
    }
}
