import Fluent
import Foundation
import Vapor

/// 開通數位借閱證 by the emailed one-time link: the holder of a card made for them sets their own
/// first password, once.
struct CardActivationLinkService {
    let database: any Database
    let passwords: PasswordHashing
    let passwordRule: ReaderPasswordRule
    let now: Date

    private var links: OneTimeLinks<PatronActivationToken> { OneTimeLinks(now: now) }

    /// The link's record (with its card holder and library) while it is unused and unexpired and the card active.
    func validLink(_ token: String) async throws -> PatronActivationToken {
        guard let record = try await links.find(token, on: database, loading: { $0.with(\.$patron, { $0.with(\.$library) }) }),
              record.patron.status == .active
        else { throw CardActivationLinkError.invalidOrExpired }
        return record
    }

    /// Sets the first password with the link `record` (from `validLink`), once: throws
    /// `NewPasswordRejected` for a password the rule refuses, and
    /// `CardActivationLinkError.invalidOrExpired` when another request used the link first.
    func activate(_ record: PatronActivationToken, password: String, confirmation: String, ipAddress: String?) async throws {
        let patron = record.patron
        try passwordRule.check(password, confirmation: confirmation, for: patron)
        let hash = try await passwords.hash(password)
        try await database.transaction { db in
            guard try await links.redeem(record, on: db) else { throw CardActivationLinkError.invalidOrExpired }
            // Any other link of this holder dies with the one used.
            try await PatronActivationToken.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            patron.passwordHash = hash
            try await patron.save(on: db)
            try await AuditTrail.record("reader.card_activated", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: db)
        }
    }
}
