import Foundation
import Testing
@testable import SluiceModel

@Suite struct QuantityTests {
    static let quantities: [(String, String, Bool, Double)] = [
        ("cpu", "2", true, 2), ("cpu", "500m", false, 0.5), ("cpu", "0.25", true, 0.25),
        ("memory", "4Gi", false, 4 * 1_073_741_824), ("memory", "512Mi", false, 512 * 1_048_576),
        ("memory", "1G", false, 1e9), ("memory", "1024", true, 1024),
        ("bandwidth", "100Mbps", false, 1e8), ("bandwidth", "1Gbps", false, 1e9),
        ("gpu", "3", true, 3), ("licenses", "7", true, 7),
    ]

    @Test(arguments: quantities)
    func parsesQuantities(name: String, text: String, isNumber: Bool, expected: Double) throws {
        let value = try Quantity.parse(text, isNumber: isNumber, for: name).get()
        #expect(value == expected)
    }

    @Test(arguments: [("cpu", "-1"), ("memory", "4GB"), ("gpu", "1.5"), ("bandwidth", "100"), ("licenses", "seven")])
    func refusesBadQuantities(name: String, text: String) {
        #expect(throws: Quantity.Problem.self) { try Quantity.parse(text, isNumber: false, for: name).get() }
    }

    @Test func formatsForPeople() {
        #expect(Quantity.format(4 * 1_073_741_824, of: "memory") == "4Gi")
        #expect(Quantity.format(0.5, of: "cpu") == "500m")
        #expect(Quantity.format(1e8, of: "bandwidth") == "100Mbps")
    }

    @Test(arguments: [("90s", 90.0), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("500ms", 0.5), ("1d", 86400), ("1.5s", 1.5)])
    func parsesDurations(text: String, seconds: Double) {
        #expect(Durations.parse(text) == seconds)
    }

    @Test(arguments: ["", "90", "2 hours", "h", "30x", "1h30"])
    func refusesBadDurations(text: String) {
        #expect(Durations.parse(text) == nil)
    }

    @Test func cronSchedules() throws {
        let nightly = try CronSchedule.parse("0 3 * * *").get()
        #expect(nightly.minutes == [0] && nightly.hours == [3] && nightly.daysOfMonth.count == 31)
        let weekdays = try CronSchedule.parse("*/15 9-17 * JAN-MAR MON-FRI").get()
        #expect(weekdays.minutes == [0, 15, 30, 45])
        #expect(weekdays.months == [1, 2, 3])
        #expect(weekdays.daysOfWeek == [1, 2, 3, 4, 5])
        #expect(try CronSchedule.parse("@daily").get().hours == [0])
        #expect(try CronSchedule.parse("0 0 * * 7").get().daysOfWeek == [0])
        for bad in ["* * * *", "60 * * * *", "5-1 * * * *", "*/0 * * * *", "0 0 * * MONDAY"] {
            #expect(throws: Quantity.Problem.self) { try CronSchedule.parse(bad).get() }
        }
    }
}

@Suite struct CronTickTests {
    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func latestTickIsAtOrBeforeTheDate() throws {
        let nightly = try CronSchedule.parse("0 3 * * *").get()
        #expect(nightly.latestTick(atOrBefore: date("2026-11-25T12:13:00Z")) == date("2026-11-25T03:00:00Z"))
        #expect(nightly.latestTick(atOrBefore: date("2026-11-25T02:59:59Z")) == date("2026-11-24T03:00:00Z"))
        #expect(nightly.latestTick(atOrBefore: date("2026-11-25T03:00:30Z")) == date("2026-11-25T03:00:00Z"))
        let quarter = try CronSchedule.parse("*/15 * * * *").get()
        #expect(quarter.latestTick(atOrBefore: date("2026-11-25T12:14:00Z")) == date("2026-11-25T12:00:00Z"))
        let mondays = try CronSchedule.parse("30 9 * * MON").get()
        #expect(mondays.latestTick(atOrBefore: date("2026-11-25T12:00:00Z")) == date("2026-11-23T09:30:00Z"))
        let yearly = try CronSchedule.parse("@yearly").get()
        #expect(yearly.latestTick(atOrBefore: date("2026-11-25T12:00:00Z")) == date("2026-01-01T00:00:00Z"))
        let firstOrFriday = try CronSchedule.parse("0 0 1 * FRI").get()
        #expect(firstOrFriday.latestTick(atOrBefore: date("2026-11-25T12:00:00Z")) == date("2026-11-20T00:00:00Z"))
    }
}

@Suite struct TimeZoneScheduleTests {
    private func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    private func schedule(_ cron: String, _ zone: String) throws -> CronSchedule {
        var parsed = try CronSchedule.parse(cron).get()
        parsed.timeZone = zone
        return parsed
    }

    @Test func ticksAreReadOnTheWallClockOfTheZone() throws {
        let paris = try schedule("0 3 * * *", "Europe/Paris")
        // Winter: Paris is UTC+1; summer: UTC+2.
        #expect(paris.latestTick(atOrBefore: date("2026-11-25T12:00:00Z")) == date("2026-11-25T02:00:00Z"))
        #expect(paris.nextTick(after: date("2026-11-25T12:00:00Z")) == date("2026-11-26T02:00:00Z"))
        #expect(paris.nextTick(after: date("2026-07-01T12:00:00Z")) == date("2026-07-02T01:00:00Z"))
        #expect(paris.latestTick(atOrBefore: date("2026-07-02T00:59:00Z")) == date("2026-07-01T01:00:00Z"))
        let kolkata = try schedule("30 9 * * MON", "Asia/Kolkata")  // UTC+5:30
        #expect(kolkata.nextTick(after: date("2026-11-25T00:00:00Z")) == date("2026-11-30T04:00:00Z"))
        let utc = try CronSchedule.parse("*/15 * * * *").get()
        #expect(utc.nextTick(after: date("2026-11-25T12:14:59Z")) == date("2026-11-25T12:15:00Z"))
        #expect(utc.nextTick(after: date("2026-11-25T12:15:00Z")) == date("2026-11-25T12:30:00Z"))
        let leap = try CronSchedule.parse("0 0 29 2 *").get()
        // The search looks a year ahead, as latestTick looks a year back: the 29th of February is found from 2027 on.
        #expect(leap.nextTick(after: date("2026-11-25T00:00:00Z")) == nil)
        #expect(leap.nextTick(after: date("2027-11-25T00:00:00Z")) == date("2028-02-29T00:00:00Z"))
    }

    /// Across a change of clocks: the day is 23 or 25 hours long, and the search still finds each tick on the wall.
    @Test func ticksSurviveAChangeOfClocks() throws {
        // Europe/Paris goes from UTC+1 to UTC+2 at 2026-03-29T01:00Z, and back at 2026-10-25T01:00Z.
        let saturdayNight = try schedule("30 23 * * 6", "Europe/Paris")
        #expect(saturdayNight.latestTick(atOrBefore: date("2026-03-29T08:00:00Z")) == date("2026-03-28T22:30:00Z"))
        let mondayEarly = try schedule("30 0 * * 1", "Europe/Paris")
        #expect(mondayEarly.nextTick(after: date("2026-03-29T08:00:00Z")) == date("2026-03-29T22:30:00Z"))
        // 02:30 does not exist on the 29th of March: that day has no tick; the next is the 30th's, at UTC+2.
        let skipped = try schedule("30 2 * * *", "Europe/Paris")
        #expect(skipped.nextTick(after: date("2026-03-28T12:00:00Z")) == date("2026-03-30T00:30:00Z"))
        // 02:30 happens twice on the 25th of October: it runs once, at the first.
        let twice = try schedule("30 2 * * *", "Europe/Paris")
        #expect(twice.nextTick(after: date("2026-10-24T12:00:00Z")) == date("2026-10-25T00:30:00Z"))
        #expect(twice.nextTick(after: date("2026-10-25T00:30:00Z")) == date("2026-10-26T01:30:00Z"))
        #expect(twice.latestTick(atOrBefore: date("2026-10-25T01:45:00Z")) == date("2026-10-25T00:30:00Z"))
    }

    @Test func timeZoneAndSuspendAreCheckedAtTheirLine() throws {
        let text = """
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: w}
            spec:
              pool: local
              schedule: "0 3 * * *"
              timezone: Mars/Olympus
              suspend: yes
              tasks: [{name: a, run: "true"}]
            """
        let set = ManifestSet.load([ManifestFile(path: "w.yaml", text: text)])
        let messages = set.diagnostics.map(\.description)
        #expect(messages.contains("w.yaml:7:13: unknown time zone 'Mars/Olympus': give an IANA name such as Europe/Paris, America/New_York or UTC"), "\(messages)")
        #expect(messages.contains("w.yaml:8:12: suspend must be true or false, not the string 'yes'") || messages.contains { $0.hasPrefix("w.yaml:8:12: suspend must be true or false") }, "\(messages)")
        let alone = ManifestSet.load([ManifestFile(path: "w.yaml", text: text.replacingOccurrences(of: "  schedule: \"0 3 * * *\"\n", with: "")
            .replacingOccurrences(of: "Mars/Olympus", with: "Europe/Paris").replacingOccurrences(of: "suspend: yes", with: "suspend: true"))])
        #expect(alone.diagnostics.map(\.description).contains { $0.hasPrefix("w.yaml:6:13: timezone is read with schedule") }, "\(alone.diagnostics)")
    }
}
