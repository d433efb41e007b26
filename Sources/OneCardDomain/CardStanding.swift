import Foundation

/// Whether an active card may be used today: 正常, 已逾期 (past its 有效期限) or 停權 (suspended at a desk).
///
/// Standing is about an active card only; a pending application or an erased card has no standing.
public enum CardStanding: String, Sendable, Hashable, Codable, CaseIterable {
    /// Neither suspended nor past its last valid day.
    case good
    /// Today is after the card's 有效期限 (e.g. the end of a resident permit); a desk extends it.
    case expired
    /// A desk suspended the card (停權); a desk reinstates it (復權).
    case suspended
}

/// What decides a card's standing: an optional last valid day and an optional suspension.
///
/// A suspended card that is also past its 有效期限 is both: `standing(on:)` reports the suspension
/// (reinstating alone would not make it usable, but the suspension is what a desk must talk about
/// first), while `isExpired(on:)` and `isSuspended` say each on its own, as SIP2 flags them.
public struct CardValidity: Sendable, Hashable {
    /// A desk's 停權: since when, and why (in the desk's words; shown to the reader).
    public struct Suspension: Sendable, Hashable {
        public let since: Date
        public let reason: String

        public init(since: Date, reason: String) {
            self.since = since
            self.reason = reason
        }
    }

    /// The last day the card is valid (inclusive); nil: no end.
    public var validUntil: CalendarDay?
    public var suspension: Suspension?

    public init(validUntil: CalendarDay? = nil, suspension: Suspension? = nil) {
        self.validUntil = validUntil
        self.suspension = suspension
    }

    /// Valid through the whole of its last day; expired from the next day on.
    public func isExpired(on today: CalendarDay) -> Bool {
        guard let validUntil else { return false }
        return today > validUntil
    }

    public var isSuspended: Bool { suspension != nil }

    /// Suspension first, then expiry, else good.
    public func standing(on today: CalendarDay) -> CardStanding {
        if isSuspended { return .suspended }
        return isExpired(on: today) ? .expired : .good
    }

    /// The standing at an instant, on the wall calendar of `timeZone` (Asia/Taipei unless told).
    public func standing(at instant: Date, timeZone: TimeZone = .taipei) -> CardStanding {
        standing(on: CalendarDay(date: instant, timeZone: timeZone))
    }

    // MARK: What a desk types

    /// Longest suspension reason accepted, in characters.
    public static let maximumReasonLength = 200

    /// A new 有效期限 as typed: empty means no end (nil). Read by `TypedDate`: `2027-03-31`, `2027/3/31`, and
    /// 民國 dates (`116/03/31`, `民國116年3月31日`, `1160331`). Today is allowed (valid through
    /// today); a day before today is refused, since a card cannot be made valid in the past.
    public static func parseValidUntil(_ raw: String, today: CalendarDay, field: String = "validUntil") -> Result<CalendarDay?, FieldErrors> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .success(nil) }
        let day: CalendarDay
        switch TypedDate.parse(text) {
        case .success(let parsed): day = parsed
        case .failure(.noSuchDay): return fail(field, "valid_until_no_such_day")
        case .failure(.unreadable): return fail(field, "valid_until_invalid")
        }
        guard day >= today else { return fail(field, "valid_until_past") }
        return .success(day)
    }

    /// The reason for a suspension: required, one line of at most `maximumReasonLength` characters.
    public static func validateReason(_ raw: String, field: String = "reason") -> Result<String, FieldErrors> {
        let text = raw.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return fail(field, "suspension_reason_required") }
        guard text.count <= maximumReasonLength,
              !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return fail(field, "suspension_reason_invalid") }
        return .success(text)
    }

    private static func fail<Value>(_ field: String, _ code: String) -> Result<Value, FieldErrors> {
        .failure(FieldErrors([FieldError(field: field, code: code)]))
    }
}
