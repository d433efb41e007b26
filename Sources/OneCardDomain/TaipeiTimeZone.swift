import Foundation

extension TimeZone {
    /// The consortium's one wall clock: card expiry, due days, working days, mail dates and SIP2 local times are
    /// all read in Asia/Taipei. It lives here, in the domain, because the rules above are the domain's; the pure
    /// SIP2 target stays free of it and is handed the zone by the app (`SIP2Lifecycle`). Taiwan has kept UTC+8
    /// without daylight saving since 1980, hence the fallback on a system without the zone database.
    public static let taipei: TimeZone = TimeZone(identifier: "Asia/Taipei") ?? TimeZone(secondsFromGMT: 8 * 3600)!
}
