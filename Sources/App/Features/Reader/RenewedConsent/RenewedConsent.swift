import Fluent
import Foundation

/// A reader's answer to a consent version that asks for renewed consent (issue #14 item 6). A reader who
/// agreed to an older version of a document is asked at their next sign-in when a version after it, now in
/// force, is marked `requiresRenewedConsent`. Accepting records the version in force; declining withdraws the
/// old consent through 我的帳戶's withdrawal (`PatronAccountService.withdrawConsent`), so a partner link ends
/// and the partner is told as 停用 does, an OpenID Connect client's tokens end, and the card's own privacy
/// statement asks for erasure.
struct RenewedConsent {
    let database: any Database
    let now: Date
    /// 我的帳戶's service, whose withdrawal a decline goes through.
    let accounts: PatronAccountService

    struct Question {
        /// The version in force, to agree to.
        let document: ConsentDocument
        /// The version the reader agreed to.
        let agreedVersion: Int
    }

    /// What `patronID` must be asked, by document code. Nothing for a reader whose erasure is already
    /// requested: their consents end with the card.
    func questions(for patronID: UUID) async throws -> [Question] {
        if try await PatronRequest.query(on: database).filter(\.$patron.$id == patronID).filter(\.$kind == .deletion)
            .filter(\.$status == .pending).count() > 0 {
            return []
        }
        let records = try await ConsentRecord.query(on: database).filter(\.$patron.$id == patronID).filter(\.$withdrawnAt == nil)
            .with(\.$document).all()
        var agreed: [String: Int] = [:]
        for record in records { agreed[record.document.code] = max(agreed[record.document.code] ?? 0, record.document.version) }
        var questions: [Question] = []
        for (code, version) in agreed.sorted(by: { $0.key < $1.key }) {
            let current = try await ConsentDocument.current(code, at: now, on: database)
            guard current.version > version else { continue }
            let renewals = try await ConsentDocument.query(on: database).filter(\.$code == code).filter(\.$version > version)
                .filter(\.$version <= current.version).filter(\.$requiresRenewedConsent == true).count()
            if renewals > 0 { questions.append(Question(document: current, agreedVersion: version)) }
        }
        return questions
    }

    /// Records the consent to the version in force through `channel` (the sign-in it came from); a partner link
    /// that rested on the old consent now rests on the new one.
    func accept(code: String, for patron: Patron, channel: String, ipAddress: String?) async throws {
        let patronID = try patron.requireID()
        guard let question = try await questions(for: patronID).first(where: { $0.document.code == code }) else { return }
        let document = question.document
        try await database.transaction { db in
            let old = try await activeRecords(of: code, patronID: patronID, on: db)
            let record = ConsentRecord(patronID: patronID, documentID: try document.requireID(), givenAt: now, channel: channel)
            try await record.create(on: db)
            try await PartnerLink.query(on: db).filter(\.$consentRecord.$id ~~ old.compactMap(\.id))
                .set(\.$consentRecord.$id, to: try record.requireID()).update()
            try await AuditTrail.record("consent.renewed", by: AuditActor(type: "reader", id: patronID.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patronID.uuidString), libraryID: patron.$library.id,
                                        details: ["document": code, "from": String(question.agreedVersion), "version": String(document.version),
                                                  "channel": channel], at: now, on: db)
        }
    }

    /// Withdraws every consent the reader gave to `code`'s older versions, as 我的帳戶 withdraws one.
    func decline(code: String, for patron: Patron, ipAddress: String?) async throws {
        let patronID = try patron.requireID()
        guard let question = try await questions(for: patronID).first(where: { $0.document.code == code }) else { return }
        try await AuditTrail.record("consent.renewal_declined", by: AuditActor(type: "reader", id: patronID.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", patronID.uuidString), libraryID: patron.$library.id,
                                    details: ["document": code, "from": String(question.agreedVersion),
                                              "version": String(question.document.version)], at: now, on: database)
        for record in try await activeRecords(of: code, patronID: patronID, on: database) {
            _ = try await accounts.withdrawConsent(try record.requireID(), of: patron, ipAddress: ipAddress)
        }
    }

    private func activeRecords(of code: String, patronID: UUID, on db: any Database) async throws -> [ConsentRecord] {
        try await ConsentRecord.query(on: db).filter(\.$patron.$id == patronID).filter(\.$withdrawnAt == nil)
            .join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
            .filter(ConsentDocument.self, \.$code == code).all()
    }
}
