import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CronSchedule {
    /// Whether `identifier` names a time zone Sluice can read cron fields in (an IANA name such as `Europe/Paris`).
    public static func knowsTimeZone(_ identifier: String) -> Bool {
        TimeZone(identifier: identifier) != nil
    }

    private var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)! }

    /// The latest tick at or before `date`, or nil if none in the year before it. Several missed ticks give only the
    /// latest one: a controller that was down makes one catch-up run, not one per tick.
    public func latestTick(atOrBefore date: Date) -> Date? {
        let zone = self.zone
        // The search runs on the zone's wall clock, where every day has 24 hours; each match is turned back into an
        // instant. Around a change of clocks a wall time that does not exist is skipped, and one that exists twice
        // counts once (its first instant).
        var wall = WallClock.wall(of: date, in: zone)
        wall -= wall % 60
        let limit = wall - 367 * 86_400
        while wall >= limit {
            guard let back = WallClock(wall).minutesBackToMatch(self) else {
                if let instant = WallClock.instant(ofWall: wall, in: zone), instant <= date { return instant }
                wall -= 60
                continue
            }
            wall -= time_t(back * 60)
        }
        return nil
    }

    /// The first tick after `date`, or nil if none in the year after it: when a controller should next run the workflow.
    public func nextTick(after date: Date) -> Date? {
        let zone = self.zone
        var wall = WallClock.wall(of: date, in: zone)
        wall += 60 - wall % 60
        let limit = wall + 367 * 86_400
        while wall <= limit {
            guard let ahead = WallClock(wall).minutesAheadToMatch(self) else {
                if let instant = WallClock.instant(ofWall: wall, in: zone), instant > date { return instant }
                wall += 60
                continue
            }
            wall += time_t(ahead * 60)
        }
        return nil
    }
}

/// A minute of a zone's wall clock, as seconds since 1970 as if that clock were UTC. Fields are matched here; the
/// arithmetic never meets a 23- or 25-hour day.
private struct WallClock {
    let minute, hour, day, month, weekday, daysInMonth: Int

    static func wall(of date: Date, in zone: TimeZone) -> time_t {
        time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(zone.secondsFromGMT(for: date))
    }

    /// The instant the wall clock shows `wall`; nil when it never does (the hour skipped when clocks go forward).
    static func instant(ofWall wall: time_t, in zone: TimeZone) -> Date? {
        // Either offset around the wall time may be the one in force: take the earliest that reads back as `wall`.
        let candidates = Set([zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall - 86_400))),
                              zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall + 86_400))),
                              zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall)))])
        return candidates.map { Date(timeIntervalSince1970: TimeInterval(wall - time_t($0))) }
            .filter { Self.wall(of: $0, in: zone) == wall }.min()
    }

    init(_ wall: time_t) {
        var time = wall
        var parts = tm()
        gmtime_r(&time, &parts)
        minute = Int(parts.tm_min)
        hour = Int(parts.tm_hour)
        day = Int(parts.tm_mday)
        month = Int(parts.tm_mon) + 1
        weekday = Int(parts.tm_wday)
        let year = Int(parts.tm_year) + 1900
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    private func dayMatches(_ schedule: CronSchedule) -> Bool {
        // Both day fields restricted: a day matches when either does (as in Vixie cron).
        let eitherDay = schedule.daysOfMonth.count < 31 && schedule.daysOfWeek.count < 7
        let dom = schedule.daysOfMonth.contains(day), dow = schedule.daysOfWeek.contains(weekday)
        return eitherDay ? (dom || dow) : (dom && dow)
    }

    /// nil when this minute is a tick; else how many minutes back the previous candidate is.
    func minutesBackToMatch(_ schedule: CronSchedule) -> Int? {
        if !schedule.months.contains(month) { return (day - 1) * 1440 + hour * 60 + minute + 1 }  // last minute of the previous month
        if !dayMatches(schedule) { return hour * 60 + minute + 1 }  // 23:59 of the previous day
        if !schedule.hours.contains(hour) { return minute + 1 }  // hh-1:59
        return schedule.minutes.contains(minute) ? nil : 1
    }

    /// nil when this minute is a tick; else how many minutes ahead the next candidate is.
    func minutesAheadToMatch(_ schedule: CronSchedule) -> Int? {
        if !schedule.months.contains(month) { return (daysInMonth - day) * 1440 + (23 - hour) * 60 + (60 - minute) }  // the 1st, 00:00
        if !dayMatches(schedule) { return (23 - hour) * 60 + (60 - minute) }  // 00:00 of the next day
        if !schedule.hours.contains(hour) { return 60 - minute }  // the next hour's :00
        return schedule.minutes.contains(minute) ? nil : 1
    }
}
