import Scheduler
import Testing

@Suite("cron expressions")
struct CronExpressionTests {
    let newYork = try! ZoneRules(identifier: "America/New_York")

    func next(_ expression: String, after start: String, zone: ZoneRules = .utc, count: Int = 3) throws -> [String] {
        let times = FireTimes(schedule: try Schedule(expression), zone: zone, after: at(start))
        return times.prefix(count).map { ISO8601.format($0, in: zone) }
    }

    @Test("errors name the field, its text and the reason", arguments: [
        ("0 0 32 * *", "cron: field 3 (day of month) '32': value out of range 1-31"),
        ("61 * * * *", "cron: field 1 (minute) '61': value out of range 0-59"),
        ("0 24 * * *", "cron: field 2 (hour) '24': value out of range 0-23"),
        ("0 0 * foo *", "cron: field 4 (month) 'foo': 'foo' is not a number or a month name (jan-dec)"),
        ("0 0 * * 8", "cron: field 5 (day of week) '8': value out of range 0-7"),
        ("*/0 * * * *", "cron: field 1 (minute) '*/0': step must be at least 1"),
        ("5-1 * * * *", "cron: field 1 (minute) '5-1': range 5-1 runs backwards; write the smaller value first"),
        ("1,,2 * * * *", "cron: field 1 (minute) '1,,2': empty list item"),
        ("0 0 * *", "cron: '0 0 * *' has 4 fields, expected 5 (minute hour day-of-month month day-of-week) or an @ form such as @daily"),
        ("0 0 30 2 *", "cron: field 3 (day of month) in '0 0 30 2 *': no month in the month field has that day"),
        ("@fortnightly", "cron: '@fortnightly': unknown @ form; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually or @every 15m"),
        ("@every 15x", "cron: '@every 15x': expected an interval such as @every 15m, @every 1h30m or @every 2d (units s, m, h, d)"),
    ])
    func errors(expression: String, message: String) {
        #expect(throws: CronError.self) { try Schedule(expression) }
        do {
            _ = try Schedule(expression)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("month and day names work in any case and in ranges; 0 and 7 are both Sunday")
    func names() throws {
        #expect(try next("0 9 * Jan-MAR sun", after: "2026-01-01T00:00:00Z", count: 2)
            == ["2026-01-04T09:00:00+00:00", "2026-01-11T09:00:00+00:00"])
        #expect(try next("0 9 * * 7", after: "2026-01-01T00:00:00Z", count: 1) == ["2026-01-04T09:00:00+00:00"])
        #expect(try next("0 9 * * 0", after: "2026-01-01T00:00:00Z", count: 1) == ["2026-01-04T09:00:00+00:00"])
        #expect(try next("0 9 * * mon-fri", after: "2026-01-02T10:00:00Z", count: 1) == ["2026-01-05T09:00:00+00:00"])
    }

    @Test("when both day fields are restricted a day matches if either does (cronie's OR rule)")
    func dayOr() throws {
        // 2026-02-13 is a Friday; the 1st and 15th match by day of month.
        #expect(try next("0 0 1,15 * fri", after: "2026-02-10T00:00:00Z", count: 3)
            == ["2026-02-13T00:00:00+00:00", "2026-02-15T00:00:00+00:00", "2026-02-20T00:00:00+00:00"])
        // With a star in one of them, both must match.
        #expect(try next("0 0 */1 * fri", after: "2026-02-10T00:00:00Z", count: 2)
            == ["2026-02-13T00:00:00+00:00", "2026-02-20T00:00:00+00:00"])
    }

    @Test("the @ forms expand to their cron lines", arguments: [
        ("@hourly", "2026-05-01T11:00:00+00:00"), ("@daily", "2026-05-02T00:00:00+00:00"),
        ("@midnight", "2026-05-02T00:00:00+00:00"), ("@weekly", "2026-05-03T00:00:00+00:00"),
        ("@monthly", "2026-06-01T00:00:00+00:00"), ("@yearly", "2027-01-01T00:00:00+00:00"),
        ("@ANNUALLY", "2027-01-01T00:00:00+00:00"),
    ])
    func shortcuts(expression: String, first: String) throws {
        #expect(try next(expression, after: "2026-05-01T10:30:00Z", count: 1) == [first])
    }

    @Test("@every fires on multiples of the interval since the epoch, strictly after the start")
    func every() throws {
        #expect(try next("@every 15m", after: "2026-05-01T10:30:00Z", count: 3)
            == ["2026-05-01T10:45:00+00:00", "2026-05-01T11:00:00+00:00", "2026-05-01T11:15:00+00:00"])
        #expect(try next("@every 1h30m", after: "2026-05-01T10:31:00Z", count: 1) == ["2026-05-01T12:00:00+00:00"])
    }

    @Test("a fixed time skipped by spring-forward runs once at the transition")
    func skippedTime() throws {
        #expect(try next("30 2 * * *", after: "2026-03-07T12:00:00Z", zone: newYork, count: 2)
            == ["2026-03-08T03:00:00-04:00", "2026-03-09T02:30:00-04:00"])
    }

    @Test("a fixed time repeated by fall-back runs once, on its first pass")
    func repeatedTime() throws {
        #expect(try next("30 1 * * *", after: "2026-10-31T12:00:00Z", zone: newYork, count: 2)
            == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"])
    }

    @Test("a job with a wildcard hour keeps its cadence and runs in both passes of a repeated hour")
    func wildcardCadence() throws {
        #expect(try next("*/30 * * * *", after: "2026-11-01T04:45:00Z", zone: newYork, count: 5)
            == ["2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00",
                "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00-05:00"])
        #expect(try next("0 * * * *", after: "2026-03-08T05:30:00Z", zone: newYork, count: 3)
            == ["2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-08T04:00:00-04:00"])
    }

    @Test("Lord Howe's 30-minute shift: a skipped 02:15 runs at 02:30, a repeated 01:45 once")
    func lordHowe() throws {
        let zone = try ZoneRules(identifier: "Australia/Lord_Howe")
        #expect(try next("15 2 * * *", after: "2026-10-03T00:00:00Z", zone: zone, count: 2)
            == ["2026-10-04T02:30:00+11:00", "2026-10-05T02:15:00+11:00"])
        #expect(try next("45 1 * * *", after: "2026-04-04T00:00:00Z", zone: zone, count: 2)
            == ["2026-04-05T01:45:00+11:00", "2026-04-06T01:45:00+10:30"])
    }

    // Steps and ranges as cronie's get_range reads them: `for (i = a; i <= b; i += n)`.

    @Test("a-b/n is a, a+n, ... up to b")
    func rangeWithStep() throws {
        #expect(try next("10-30/7 * * * *", after: "2026-05-01T10:00:00Z", count: 4)
            == ["2026-05-01T10:10:00+00:00", "2026-05-01T10:17:00+00:00", "2026-05-01T10:24:00+00:00",
                "2026-05-01T11:10:00+00:00"])
    }

    @Test("a-a/n in day of week is that day only: '0 12 * * 2-2/2' fires on Tuesdays")
    func equalEndsDayOfWeek() throws {
        #expect(try next("0 12 * * 2-2/2", after: "2026-03-28T00:00:00Z", count: 3)
            == ["2026-03-31T12:00:00+00:00", "2026-04-07T12:00:00+00:00", "2026-04-14T12:00:00+00:00"])
        // "Mondays", written with a step of 1.
        #expect(try next("30 9 * * 1-1/1", after: "2026-03-28T00:00:00Z", count: 2)
            == ["2026-03-30T09:30:00+00:00", "2026-04-06T09:30:00+00:00"])
    }

    @Test("a-a/n in day of month is that day only: '0 0 3-3/2 * *' is the 3rd")
    func equalEndsDayOfMonth() throws {
        #expect(try next("0 0 3-3/2 * *", after: "2026-03-01T00:00:00Z", count: 3)
            == ["2026-03-03T00:00:00+00:00", "2026-04-03T00:00:00+00:00", "2026-05-03T00:00:00+00:00"])
    }

    @Test("a-a/n in minutes is that minute only: '50-50/3 * * * *' is minute 50")
    func equalEndsMinute() throws {
        #expect(try next("50-50/3 * * * *", after: "2026-05-01T10:00:00Z", count: 2)
            == ["2026-05-01T10:50:00+00:00", "2026-05-01T11:50:00+00:00"])
    }

    @Test("a step larger than its range gives the range's first value alone")
    func stepLargerThanRange() throws {
        #expect(try next("5-10/65 * * * *", after: "2026-05-01T10:00:00Z", count: 2)
            == ["2026-05-01T10:05:00+00:00", "2026-05-01T11:05:00+00:00"])
        #expect(try next("0 0 * 1-12/13 *", after: "2026-05-01T10:00:00Z", count: 1) == ["2027-01-01T00:00:00+00:00"])
    }

    @Test("a/n keeps its meaning: from a to the end of the field, every n")
    func singleValueWithStep() throws {
        #expect(try next("50/3 * * * *", after: "2026-05-01T10:00:00Z", count: 5)
            == ["2026-05-01T10:50:00+00:00", "2026-05-01T10:53:00+00:00", "2026-05-01T10:56:00+00:00",
                "2026-05-01T10:59:00+00:00", "2026-05-01T11:50:00+00:00"])
    }

    @Test("an expression read differently before 0.2.0 says which term and how; others say nothing")
    func changedSinceEarlierReleases() throws {
        #expect(try CronExpression("0 12 * * 2-2/2").changedSinceEarlierReleases == [
            "field 5 (day of week) '2-2/2' is now 2 only, as cronie reads it; Nightshift before 0.2.0 read it as 2/2 (2 to 7, every 2)"
        ])
        #expect(try CronExpression("50-50/3 3-3/30 * * *").changedSinceEarlierReleases == [
            "field 1 (minute) '50-50/3' is now 50 only, as cronie reads it; Nightshift before 0.2.0 read it as 50/3 (50 to 59, every 3)"
        ])
        // The old reading gave the same single value: nothing changed.
        #expect(try CronExpression("59-59/1 * * * 7-7/2").changedSinceEarlierReleases.isEmpty)
        #expect(try CronExpression("10-30/7 * 1-5 * */2").changedSinceEarlierReleases.isEmpty)
    }
}
