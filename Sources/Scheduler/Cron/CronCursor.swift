/// Walks forward through the fire times of a cron expression in one zone.
///
/// - A fixed-time job (minute and hour not starting with `*`) is searched on the wall clock,
///   as the forward search of `cronsim` (the cron engine of Healthchecks.io, the test oracle)
///   does it, line by line: a result that the zone skips moves forward a minute at a time to
///   the first time that exists (the transition), and a repeated time is taken once, on its
///   first pass.
/// - Any other job fires at every minute of real time whose wall-clock reading matches: it
///   keeps its cadence through a change, runs in both passes of a repeated hour, and runs
///   in every part of an hour that exists. Between two changes of the zone's offset the wall
///   clock moves with real time, so the search jumps to the next matching wall-clock time
///   and checks that no change lies before it. cronsim searches such jobs in real time too,
///   but truncates the wall clock to the hour on its way: where a change is not on the hour
///   (Lord Howe's 30 minutes, Chatham's 45) that skips times that exist, and with
///   `58 */3 * * *` around Chatham's fall-back it loops for ever. There a minute-by-minute
///   walk of real time is the test oracle (CronOracleTests).
struct CronCursor {
    let cron: CronExpression
    let zone: ZoneRules
    /// Search on the naive wall clock (fixed-time jobs) rather than through real time.
    let onWallClock: Bool
    /// The wall-clock search's position (seconds since the epoch, read as if in UTC).
    private(set) var wall: Int64
    /// The real-time search's position: its last result, or the start.
    private var instant: Int64

    /// Starts a search whose first result is after `instant` (seconds since the epoch).
    init(cron: CronExpression, zone: ZoneRules, after instant: Int64) {
        self.cron = cron
        self.zone = zone
        self.instant = instant
        onWallClock = cron.fixedTime
        wall = zone.wall(at: instant).wall
    }

    private var second: Int64 { CivilTime.floorMod(wall, 60) }
    private var minute: Int { Int(CivilTime.floorMod(CivilTime.floorDiv(wall, 60), 60)) }
    private var hour: Int { Int(CivilTime.floorMod(CivilTime.floorDiv(wall, 3600), 24)) }
    private var dayNumber: Int64 { CivilTime.floorDiv(wall, CivilTime.secondsPerDay) }

    private mutating func tick(_ seconds: Int64 = 1) {
        wall += seconds
    }

    /// Midnight of a day (Python's `datetime.combine`).
    private mutating func setMidnight(_ day: Int64) {
        wall = day * CivilTime.secondsPerDay
    }

    private func matchesDay(_ day: Int64) -> Bool {
        let date = CivilTime.date(days: day)
        let dom = cron.daysOfMonth & (1 << UInt32(date.day)) != 0
        let dow = cron.daysOfWeek & (1 << UInt8(CivilTime.weekday(days: day))) != 0
        return cron.daysOr ? (dom || dow) : (dom && dow)
    }

    private mutating func advanceMonth() {
        var date = CivilTime.date(days: dayNumber)
        if cron.months & (1 << UInt16(date.month)) != 0 { return }
        var day = dayNumber
        while cron.months & (1 << UInt16(date.month)) == 0 {
            let next = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
            day = CivilTime.days(year: next.0, month: next.1, day: 1)
            date = (next.0, next.1, 1)
        }
        setMidnight(day)
    }

    private mutating func advanceDay() -> Bool {
        var day = dayNumber
        if matchesDay(day) { return false }
        while !matchesDay(day) {
            day += 1
            if CivilTime.date(days: day).day == 1 { break }
        }
        setMidnight(day)
        return true
    }

    private mutating func advanceHour() -> Bool {
        if cron.hours & (1 << UInt32(hour)) != 0 { return false }
        wall -= CivilTime.floorMod(wall, 3600)
        while cron.hours & (1 << UInt32(hour)) == 0 {
            tick(3600)
            if hour == 0 { break }
        }
        return true
    }

    private mutating func advanceMinute() -> Bool {
        if cron.minutes & (1 << UInt64(minute)) != 0 { return false }
        wall -= second
        if cron.minutes.nonzeroBitCount == 1 {
            let target = Int64(cron.minutes.trailingZeroBitCount)
            let delta = CivilTime.floorMod(target - Int64(minute), 60)
            if delta > 0 { tick(delta * 60) }
        }
        while cron.minutes & (1 << UInt64(minute)) == 0 {
            tick(60)
            if minute == 0 { break }
        }
        return true
    }

    private mutating func advanceSecond() -> Bool {
        // Five-field expressions fire at second 0.
        if second == 0 { return false }
        tick(CivilTime.floorMod(-second, 60))
        while second != 0 {
            tick()
            if second == 0 { break }
        }
        return true
    }

    /// The first matching wall-clock time strictly after ``wall``, found on the naive wall
    /// clock (every day 24 hours long); nil if none within 50 years.
    private mutating func nextWall() -> Int64? {
        tick()
        let startYear = CivilTime.date(days: dayNumber).year
        while true {
            advanceMonth()
            if CivilTime.date(days: dayNumber).year > startYear + 50 { return nil }
            if advanceDay() { continue }
            if advanceHour() { continue }
            if advanceMinute() { continue }
            if advanceSecond() { continue }
            return wall
        }
    }

    /// The next fire time (seconds since the epoch), or nil if none within 50 years.
    mutating func next() -> Int64? {
        if onWallClock {
            guard nextWall() != nil else { return nil }
            while zone.isSkipped(wall: wall) { wall += 60 }
            return zone.instant(wall: wall, fold: false)
        }
        // Real time, from the next whole minute (every zone's offset is whole minutes).
        var t = CivilTime.floorDiv(instant, 60) * 60 + 60
        while true {
            let offset = zone.offset(at: t)
            wall = t + offset - 1
            guard let match = nextWall() else { return nil }
            let candidate = t + (match - (t + offset))
            if candidate > t, let change = zone.firstChange(after: t, through: candidate) {
                // The wall clock jumps at `change`: search again from there, on its new reading.
                t = change
                continue
            }
            instant = candidate
            return candidate
        }
    }
}
