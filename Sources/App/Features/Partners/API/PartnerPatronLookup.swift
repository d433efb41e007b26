import Fluent
import Foundation
import OneCardDomain
import SQLKit

/// A partner library's system asks whether a card is valid there. It is answered only for patrons
/// who belong to or linked that partner; every other case is the same "not found", so the answer never
/// tells whether a card exists elsewhere. Each answer is audited.
///
/// A hot path (partner systems ask at every loan): the patron, its home library's code, the check of
/// the partner's code and whether the partner may see the patron (`PatronVisibility.condition`) are one SQL
/// query read as a row. The profile showed Fluent decoding the whole `Patron` model (thirty fields) and
/// loading two `Library` models for each lookup, then the visibility's own queries; the audit entry goes
/// through `AuditBatchWriter` (issue #13 item 1).
struct PartnerPatronLookup {
    let database: any Database
    /// The answer waits until its audit entry is committed, written with the other lookups' (group commit).
    let audit: AuditBatchWriter
    let now: Date

    func lookUp(partnerCode: String, cardNumber: String, by client: APIClient, ipAddress: String?) async throws -> PartnerPatronDTO {
        let partnerID = client.$library.id
        guard case .success(let card) = CardNumber.parse(cardNumber),
              let patron = try await PatronRow.find(card: card.value, askedBy: partnerID, partnerCode: partnerCode.uppercased(), on: database)
        else { throw OneCardError.notFound }
        try await audit.record(AuditEntry(action: "patron.partner_lookup",
                                          actor: AuditActor(type: "api_client", id: client.id?.uuidString, ipAddress: ipAddress),
                                          subject: ("patron", patron.id.uuidString), libraryID: partnerID, time: now), on: database)
        let standing = patron.status == Patron.Status.active.rawValue
            ? Patron.validity(validUntil: patron.validUntil, suspendedAt: patron.suspendedAt, reason: patron.suspensionReason)
                .standing(at: now)
            : nil
        let cardKind = Patron.CardKind(rawValue: patron.cardKind) ?? .physical
        return PartnerPatronDTO(
            cardNumber: card.value, status: patron.status, valid: standing == .good,
            cardKind: cardKind.rawValue,
            mayBorrow: PartnerBorrowing.mayBorrow(standing: standing, isPhysicalCard: cardKind == .physical),
            homeLibrary: patron.homeLibraryCode, standing: standing?.rawValue, validUntil: patron.validUntil)
    }

    /// What the answer needs of a patron, with its home library's code.
    private struct PatronRow {
        let id: UUID
        let status: String
        let cardKind: String
        let validUntil: String?
        let suspendedAt: Date?
        let suspensionReason: String?
        let homeLibraryCode: String

        /// Nil when no patron has the card, when `partnerCode` is not the asking client's library, or when that
        /// library may not see the patron.
        static func find(card: String, askedBy partnerID: UUID, partnerCode: String, on database: any Database) async throws -> PatronRow? {
            let sql = database as! any SQLDatabase
            guard let row = try await sql.raw("""
                SELECT p.id, p.status, p.card_kind, p.card_valid_until, p.suspended_at, p.suspension_reason,
                       home.code AS home_code
                FROM \(ident: Patron.schema) p
                JOIN \(ident: Library.schema) home ON home.id = p.library_id
                JOIN \(ident: Library.schema) partner ON partner.id = \(bind: partnerID) AND partner.code = \(bind: partnerCode)
                WHERE p.card_number = \(bind: card) AND \(unsafeRaw: PatronVisibility.condition(patron: "p", library: "partner.id"))
                """).first()
            else { return nil }
            func optional<T: Decodable>(_ column: String, as type: T.Type) throws -> T? {
                try row.decodeNil(column: column) ? nil : row.decode(column: column, as: T.self)
            }
            return PatronRow(
                id: try row.decode(column: "id", as: UUID.self),
                status: try row.decode(column: "status", as: String.self),
                cardKind: try row.decode(column: "card_kind", as: String.self),
                validUntil: try optional("card_valid_until", as: String.self),
                suspendedAt: try optional("suspended_at", as: Date.self),
                suspensionReason: try optional("suspension_reason", as: String.self),
                homeLibraryCode: try row.decode(column: "home_code", as: String.self)
            )
        }
    }
}
