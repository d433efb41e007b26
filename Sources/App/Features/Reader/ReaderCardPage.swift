import Foundation
import OneCardDomain

/// What 我的主頁 and the mobile card page show of the reader's card: who, which number and library, its kind,
/// its 有效期限, and what to do about a suspended or expired card.
struct ReaderCardPage: Encodable {
    let name: String
    let cardNumber: String
    let library: String
    let digital: Bool
    /// What to do about a suspended or expired card; nil in good standing.
    let standingNotice: String?
    let validUntil: String?

    init(_ patron: Patron, cardNumber: String, locale: SiteLocale, localizer: Localizer, now: Date) {
        name = patron.name
        self.cardNumber = cardNumber
        library = patron.library.name(in: locale)
        digital = patron.cardKind == .digital
        validUntil = patron.cardValidUntil
        standingNotice = switch patron.standing(at: now) {
        case .suspended?:
            localizer.text("reader.standing.suspended", locale, [
                "since": patron.suspendedAt.map { DisplayTime.day(CalendarDay(date: $0, timeZone: .taipei), in: locale) } ?? "",
                "reason": patron.suspensionReason ?? "",
            ])
        case .expired?:
            localizer.text("reader.standing.expired", locale, ["date": patron.cardValidUntil.map { DisplayTime.day(iso: $0, in: locale) } ?? ""])
        case .good?, nil:
            nil
        }
    }
}
