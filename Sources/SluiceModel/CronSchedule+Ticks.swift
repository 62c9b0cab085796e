import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CronSchedule {
    /// Whether `identifier` names a time zone Sluice can read cron fields in (an IANA name such as `Europe/Paris`).
    public static func knowsTimeZone(_ identifier: String) -> Bool {
        TimeZone(identifier: identifier) != nil
    }

    /// The latest tick at or before `date`, or nil if none in the year before it. Several missed ticks give only the
    /// latest one: a controller that was down makes one catch-up run, not one per tick.
    public func latestTick(atOrBefore date: Date) -> Date? {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!
        var time = time_t(date.timeIntervalSince1970)
        time -= time % 60
        let limit = time - 367 * 86_400
        while time >= limit {
            let wall = WallClock(time, zone)
            guard let back = wall.minutesBackToMatch(self) else { return Date(timeIntervalSince1970: TimeInterval(time)) }
            time -= time_t(back * 60)
        }
        return nil
    }

    /// The first tick after `date`, or nil if none in the year after it: when a controller should next run the workflow.
    public func nextTick(after date: Date) -> Date? {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0)!
        var time = time_t(date.timeIntervalSince1970)
        time += 60 - time % 60
        let limit = time + 367 * 86_400
        while time <= limit {
            let wall = WallClock(time, zone)
            guard let ahead = wall.minutesAheadToMatch(self) else { return Date(timeIntervalSince1970: TimeInterval(time)) }
            time += time_t(ahead * 60)
        }
        return nil
    }
}

/// A minute as a clock on the wall of a time zone shows it. Fields are matched on this clock; the search moves in real
/// minutes, so across a change of clocks (daylight saving) a jump may land an hour off and then walks on from there.
private struct WallClock {
    let minute, hour, day, month, weekday, daysInMonth: Int

    init(_ time: time_t, _ zone: TimeZone) {
        var local = time + time_t(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(time))))
        var parts = tm()
        gmtime_r(&local, &parts)
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
