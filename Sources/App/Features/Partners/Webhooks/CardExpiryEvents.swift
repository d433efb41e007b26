import Fluent
import Foundation
import OneCardDomain

/// A card's 有效期限 passing changes what its linked partners read (`standing` expired, `valid` and
/// `mayBorrow` false) without anyone acting, so no change of the card's row tells them. Hourly
/// housekeeping does: each linked partner gets `patron.updated` once per 有效期限, the day after it
/// (today in Asia/Taipei). A renewal (`CardStandingService.changeValidUntil`) sends its own, and the new
/// 有效期限 is announced again when it passes.
struct CardExpiryEvents {
    let database: any Database
    let now: Date

    /// Queues the events; returns how many cards they were for. Two instances running it at once may each
    /// queue one for the same card: a partner applies `patron.updated` by re-reading the card, so a second
    /// one is harmless.
    @discardableResult
    func run() async throws -> Int {
        let today = CalendarDay(date: now, timeZone: .taipei).iso
        // Few cards have a 有效期限 (passports, residence permits), so the comparison with the mark is done here.
        let expired = try await Patron.query(on: database).filter(\.$status == .active).filter(\.$cardValidUntil != nil)
            .filter(\.$cardValidUntil < today).all()
            .filter { $0.partnersToldExpiredOn != $0.cardValidUntil }
        for patron in expired {
            try await database.transaction { db in
                patron.partnersToldExpiredOn = patron.cardValidUntil
                try await patron.save(on: db)
                try await PartnerEvents.enqueueForLinkedPartners(.patronUpdated, patron: patron, now: now, on: db)
            }
        }
        return expired.count
    }
}
