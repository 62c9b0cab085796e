import Foundation

/// A five-field cron expression (`minute hour day-of-month month day-of-week`) or one of the
/// macros `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
public struct CronSchedule: Hashable, Sendable, Codable, CustomStringConvertible {
    public let expression: String
    /// The allowed values of each field, in field order.
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 is Sunday; a 7 in the expression is folded into 0.
    public let daysOfWeek: Set<Int>
    /// The IANA time zone the fields are read in (`spec.timezone`); UTC when not given.
    public var timeZone = "UTC"

    public var description: String { expression }

    private static let macros = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    private struct Field {
        let name: String
        let range: ClosedRange<Int>
        let names: [String]
        let firstNameValue: Int
    }

    private static let fields = [
        Field(name: "minute", range: 0...59, names: [], firstNameValue: 0),
        Field(name: "hour", range: 0...23, names: [], firstNameValue: 0),
        Field(name: "day of month", range: 1...31, names: [], firstNameValue: 1),
        Field(name: "month", range: 1...12, names: monthNames, firstNameValue: 1),
        Field(name: "day of week", range: 0...7, names: dayNames, firstNameValue: 0),
    ]

    /// Parses `expression`; the error message says which field is wrong and what is allowed.
    public static func parse(_ expression: String) -> Result<CronSchedule, Quantity.Problem> {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        let expanded = macros[trimmed.lowercased()] ?? trimmed
        let parts = expanded.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 5 else {
            return .failure(.init(message: "bad schedule '\(expression)': a cron schedule has 5 fields (minute hour day-of-month month day-of-week), or is @hourly, @daily, @weekly, @monthly or @yearly"))
        }
        var sets: [Set<Int>] = []
        for (field, text) in zip(fields, parts) {
            switch parseField(text, field) {
            case .success(let values): sets.append(values)
            case .failure(let problem):
                return .failure(.init(message: "bad schedule '\(expression)': \(problem.message)"))
            }
        }
        var days = sets[4]
        if days.remove(7) != nil { days.insert(0) }
        return .success(CronSchedule(expression: trimmed, minutes: sets[0], hours: sets[1],
                                     daysOfMonth: sets[2], months: sets[3], daysOfWeek: days))
    }

    private static func parseField(_ text: String, _ field: Field) -> Result<Set<Int>, Quantity.Problem> {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { return .failure(.init(message: "\(field.name) '\(item)' has more than one '/'")) }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else {
                    return .failure(.init(message: "\(field.name) step '\(stepParts[1])' must be a positive whole number"))
                }
                step = parsed
            }
            let rangeText = stepParts[0]
            var low = field.range.lowerBound, high = field.range.upperBound
            if rangeText != "*" {
                let bounds = rangeText.split(separator: "-", omittingEmptySubsequences: false)
                guard bounds.count <= 2, let first = value(bounds[0], field), let last = value(bounds.last!, field) else {
                    return .failure(.init(message: "\(field.name) '\(item)' is not a number, a range or '*' (allowed \(field.range.lowerBound)-\(field.range.upperBound))"))
                }
                guard field.range.contains(first), field.range.contains(last) else {
                    return .failure(.init(message: "\(field.name) '\(item)' is outside \(field.range.lowerBound)-\(field.range.upperBound)"))
                }
                guard first <= last else {
                    return .failure(.init(message: "\(field.name) range '\(rangeText)' runs backwards"))
                }
                low = first
                // "5" alone is one value; "5/15" runs from 5 to the end of the field, as in Vixie cron.
                high = bounds.count == 2 ? last : (stepParts.count == 2 ? field.range.upperBound : first)
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return .success(values)
    }

    private static func value(_ text: Substring, _ field: Field) -> Int? {
        if let number = Int(text) { return number }
        return field.names.firstIndex(of: text.uppercased()).map { $0 + field.firstNameValue }
    }
}
