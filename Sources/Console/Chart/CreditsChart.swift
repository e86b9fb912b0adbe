import Foundation
import RunRecords

/// The Panel page's chart: credits moved per day, a stacked bar per day with a segment per
/// reseller, as SVG made on the server.
///
/// Readable without colour: each reseller has a black-and-white fill pattern (solid, stripes,
/// dots, checks…) shown in the legend, every bar carries its total as text, every segment a
/// tooltip (`<title>`), and the page puts the same numbers in a table under the chart. The
/// five resellers that moved the most have their own pattern; the rest share "others".
/// Every text in it is escaped here, since the page embeds it as markup.
public struct CreditsChart: Sendable {
    /// One day's bar.
    public struct Day: Sendable, Equatable {
        /// `2026-03-01`.
        public var day: String
        /// Credits per series, in ``CreditsChart/series`` order.
        public var credits: [Int]
        /// The day's net total.
        public var total: Int { credits.reduce(0, +) }
    }

    /// The series' names: up to five resellers, then "others" when there are more.
    public let series: [String]
    /// Every day of the range, oldest first, days without moves included.
    public let days: [Day]

    /// How many resellers get a pattern of their own.
    public static let namedSeries = 5
    private static let width = 760.0
    private static let height = 320.0
    private static let left = 64.0
    private static let right = 16.0
    private static let top = 20.0
    private static let bottom = 56.0

    /// Builds the chart from the daily sums, for the days `dayList` (oldest first).
    public init(_ rows: [AuditDailyCredits], days dayList: [String]) {
        var totals: [String: Int] = [:]
        for row in rows { totals[row.target, default: 0] += abs(row.credits) }
        let ranked = totals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        let named = Array(ranked.prefix(Self.namedSeries))
        series = ranked.count > Self.namedSeries ? named + ["others"] : named
        let index = Dictionary(uniqueKeysWithValues: named.enumerated().map { ($1, $0) })
        let width = series.count
        var byDay: [String: [Int]] = [:]
        for row in rows {
            var values = byDay[row.day] ?? Array(repeating: 0, count: width)
            values[index[row.target] ?? width - 1] += row.credits
            byDay[row.day] = values
        }
        days = dayList.map { Day(day: $0, credits: byDay[$0] ?? Array(repeating: 0, count: width)) }
    }

    /// Whether any credits moved in the range.
    public var isEmpty: Bool { series.isEmpty }

    /// The chart as an `<svg>` element.
    public var svg: String {
        let (low, high) = scale()
        let plotHeight = Self.height - Self.top - Self.bottom
        let plotWidth = Self.width - Self.left - Self.right
        func y(_ value: Double) -> Double { Self.top + (high - value) / (high - low) * plotHeight }
        let slot = plotWidth / Double(max(days.count, 1))
        let barWidth = max(2, slot * 0.7)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \(Self.number(Self.width)) \(Self.number(Self.height + 24 + Double(series.count) * 22))" role="img" aria-labelledby="chart-title chart-desc">
            <title id="chart-title">Credits moved per day and per reseller</title>
            <desc id="chart-desc">\(Self.escape(description))</desc>
            <defs>\(Self.patterns)</defs>

            """
        // Grid lines and the axis labels.
        for tick in ticks(low: low, high: high) {
            let at = y(tick)
            svg += "<line class=\"grid\" x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(Self.number(at))\" y2=\"\(Self.number(at))\" stroke=\"#999\" stroke-width=\"\(tick == 0 ? 1.5 : 0.5)\"/>"
            svg += "<text x=\"\(Self.number(Self.left - 6))\" y=\"\(Self.number(at + 4))\" text-anchor=\"end\" font-size=\"11\">\(tick < 0 ? "−" : "")\(Self.grouped(Int(abs(tick))))</text>\n"
        }
        let labelEvery = max(1, Int((Double(days.count) / 15).rounded(.up)))
        for (index, day) in days.enumerated() {
            let x = Self.left + slot * Double(index) + (slot - barWidth) / 2
            var up = 0.0
            var down = 0.0
            for (seriesIndex, value) in day.credits.enumerated() where value != 0 {
                let amount = Double(value)
                let (from, to) = amount > 0 ? (up, up + amount) : (down + amount, down)
                if amount > 0 { up += amount } else { down += amount }
                let name = Self.escape(series[seriesIndex])
                svg += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y(to)))\" width=\"\(Self.number(barWidth))\" height=\"\(Self.number(max(0.5, y(from) - y(to))))\" fill=\"url(#p\(seriesIndex))\" stroke=\"#000\" stroke-width=\"0.75\"><title>\(Self.escape(day.day)): \(name) \(value > 0 ? "+" : "−")\(Self.grouped(abs(value))) credits</title></rect>\n"
            }
            if day.total != 0 || up != 0 || down != 0 {
                let labelY = day.total >= 0 ? y(up) - 4 : y(down) + 12
                svg += "<text x=\"\(Self.number(x + barWidth / 2))\" y=\"\(Self.number(labelY))\" text-anchor=\"middle\" font-size=\"10\">\(day.total < 0 ? "−" : "")\(Self.grouped(abs(day.total)))</text>\n"
            }
            if index % labelEvery == 0 {
                svg += "<text x=\"\(Self.number(x + barWidth / 2))\" y=\"\(Self.number(Self.height - Self.bottom + 16))\" text-anchor=\"middle\" font-size=\"11\">\(Self.escape(String(day.day.suffix(5))))</text>\n"
            }
        }
        // The legend: a swatch with the pattern, and the name.
        for (index, name) in series.enumerated() {
            let at = Self.height + Double(index) * 22
            svg += "<rect x=\"\(Self.number(Self.left))\" y=\"\(Self.number(at - 12))\" width=\"28\" height=\"16\" fill=\"url(#p\(index))\" stroke=\"#000\" stroke-width=\"0.75\"/>"
            svg += "<text x=\"\(Self.number(Self.left + 36))\" y=\"\(Self.number(at + 1))\" font-size=\"12\">\(Self.escape(name))</text>\n"
        }
        return svg + "</svg>"
    }

    /// What the chart shows, in one sentence (its `<desc>`).
    var description: String {
        let total = days.map(\.total).reduce(0, +)
        return "Stacked bars, one per day from \(days.first?.day ?? "") to \(days.last?.day ?? ""); net "
            + "\(Self.grouped(total)) credits moved; series: \(series.joined(separator: ", "))."
    }

    private func scale() -> (Double, Double) {
        var high = 0.0
        var low = 0.0
        for day in days {
            high = max(high, Double(day.credits.filter { $0 > 0 }.reduce(0, +)))
            low = min(low, Double(day.credits.filter { $0 < 0 }.reduce(0, +)))
        }
        if high == 0 && low == 0 { high = 1 }
        let step = Self.niceStep((high - low) / 5)
        return ((low / step).rounded(.down) * step, (high / step).rounded(.up) * step)
    }

    private func ticks(low: Double, high: Double) -> [Double] {
        let step = Self.niceStep((high - low) / 5)
        return stride(from: low, through: high + step / 2, by: step).map { $0 }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 1 }
        let power = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * power >= raw { return max(1, factor * power) }
        return max(1, 10 * power)
    }

    /// Black-and-white fills, one per series: solid, stripes, dots, checks, crossing lines, white.
    private static let patterns = """
        <pattern id="p0" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#222"/></pattern>\
        <pattern id="p1" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><rect width="2.5" height="6" fill="#222"/></pattern>\
        <pattern id="p2" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.6" fill="#222"/></pattern>\
        <pattern id="p3" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#fff"/><rect width="4" height="4" fill="#555"/><rect x="4" y="4" width="4" height="4" fill="#555"/></pattern>\
        <pattern id="p4" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><path d="M0 3H6M3 0V6" stroke="#222" stroke-width="1"/></pattern>\
        <pattern id="p5" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/></pattern>
        """

    /// Text safe inside SVG markup and attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// `12 500`: thousands separated by a thin space.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "\u{2009}" }
            result.append(digit)
        }
        return value < 0 ? "−" + result : result
    }

    private static func number(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
