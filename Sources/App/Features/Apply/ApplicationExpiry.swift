import Fluent
import Foundation
import OneCardDomain
import SQLKit
import Vapor

/// Applications not completed at a desk in time are expired and their personal data erased; the
/// application number and dates stay so the library can still answer "what happened to it?".
struct ApplicationExpiry {
    let pendingApplicationLifetimeDays: Int
    /// Where `FileMailer` keeps its `.eml` copies, removed with the person's data.
    let mailDropDirectory: String
    let logger: Logger
    let now: Date

    @discardableResult
    func run(on database: any Database) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(pendingApplicationLifetimeDays) * 86400)
        // Digital card applications wait for a reviewer, not a desk: `DigitalCardService.housekeeping` closes theirs.
        let stale = try await Patron.query(on: database).filter(\.$status == .pending).filter(\.$cardKind == .physical)
            .filter(\.$appliedAt < cutoff).all()
        for patron in stale {
            let erasedMail = try await database.transaction { db in
                patron.status = .expired
                patron.erasePersonalData()
                try await patron.save(on: db)
                let emails = try await PatronMail.erase(patronID: patron.requireID(), applicationNumber: patron.applicationNumber, on: db)
                try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
                try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
                    .set(\.$withdrawnAt, to: now).update()
                try await AuditTrail.record("card_application.expired", by: .system("expiry"), subject: ("patron", patron.id!.uuidString),
                                            libraryID: patron.$library.id, details: ["messagesErased": String(emails.count)],
                                            at: now, on: db)
                return emails
            }
            // Only after the commit: a rolled-back erasure must not lose the copies either.
            PatronMail.removeDropFiles(of: erasedMail, directory: mailDropDirectory, logger: logger)
        }
        return stale.count
    }
}
