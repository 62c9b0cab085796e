import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension CronSchedule {
    /// The latest tick at or before `date` (UTC), or nil if none in the year before it. Several missed ticks give
    /// only the latest one: a controller that was down makes one catch-up run, not one per tick.
    public func latestTick(atOrBefore date: Date) -> Date? {
        var time = time_t(date.timeIntervalSince1970)
        time -= time % 60
        let limit = time - 367 * 86_400
        // Both day fields restricted: a day matches when either does (as in Vixie cron).
        let eitherDay = daysOfMonth.count < 31 && daysOfWeek.count < 7
        var parts = tm()
        while time >= limit {
            gmtime_r(&time, &parts)
            let minute = Int(parts.tm_min), hour = Int(parts.tm_hour)
            if !months.contains(Int(parts.tm_mon) + 1) {
                time -= time_t(((Int(parts.tm_mday) - 1) * 1440 + hour * 60 + minute + 1) * 60)  // last minute of the previous month
                continue
            }
            let domMatches = daysOfMonth.contains(Int(parts.tm_mday)), dowMatches = daysOfWeek.contains(Int(parts.tm_wday))
            guard eitherDay ? (domMatches || dowMatches) : (domMatches && dowMatches) else {
                time -= time_t((hour * 60 + minute + 1) * 60)  // 23:59 of the previous day
                continue
            }
            guard hours.contains(hour) else {
                time -= time_t((minute + 1) * 60)  // hh-1:59
                continue
            }
            if minutes.contains(minute) { return Date(timeIntervalSince1970: TimeInterval(time)) }
            time -= 60
        }
        return nil
    }
}
