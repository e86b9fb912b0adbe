import Foundation

/// CSV as spreadsheets read it (RFC 4180), safe to open: no cell can become a formula.
///
/// A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to
/// Excel, LibreOffice and Google Sheets (`=HYPERLINK(…)`, `@SUM(…)`, DDE payloads such as
/// `=cmd|' /C calc'!A0`); such a cell gets a leading apostrophe, which the spreadsheet shows
/// as text and does not evaluate. Numbers the console writes itself (ids, credits) are
/// written as numbers: `-250` is a value, not a formula. Every cell is quoted.
public enum CSVText {
    /// One cell of text.
    public static func text(_ value: String?) -> String {
        guard var value else { return "\"\"" }
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
            value = "'" + value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One cell holding a number.
    public static func number(_ value: Int?) -> String {
        value.map(String.init) ?? "\"\""
    }

    /// A row: the cells joined by commas, ended by CRLF.
    public static func row(_ cells: [String]) -> String {
        cells.joined(separator: ",") + "\r\n"
    }
}
