import Fluent
import FluentPostgresDriver
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
    fileprivate struct PatronRow: Decodable {
        let id: UUID
        let status: String
        let cardKind: String
        let validUntil: String?
        let suspendedAt: Date?
        let suspensionReason: String?
        let homeLibraryCode: String

        enum CodingKeys: String, CodingKey {
            case id, status
            case cardKind = "card_kind", validUntil = "card_valid_until", suspendedAt = "suspended_at"
            case suspensionReason = "suspension_reason", homeLibraryCode = "home_code"
        }

        /// $1 the asking client's library, $2 the partner code asked about, $3 the card number.
        static let sql = """
            SELECT p.id, p.status, p.card_kind, p.card_valid_until, p.suspended_at, p.suspension_reason, home.code AS home_code
            FROM \(Patron.schema) p
            JOIN \(Library.schema) home ON home.id = p.library_id
            JOIN \(Library.schema) partner ON partner.id = $1 AND partner.code = $2
            WHERE p.card_number = $3 AND \(PatronVisibility.condition(patron: "p", library: "partner.id"))
            """

        /// Nil when no patron has the card, when `partnerCode` is not the asking client's library, or when that
        /// library may not see the patron. On PostgreSQL the statement is prepared once per connection (as
        /// `SIP2PatronLookup`'s): planning it was most of its time there.
        static func find(card: String, askedBy partnerID: UUID, partnerCode: String, on database: any Database) async throws -> PatronRow? {
            if let postgres = database as? any PostgresDatabase {
                let statement = Prepared(partnerID: partnerID, partnerCode: partnerCode, card: card)
                return try await postgres.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        var found: PatronRow?
                        for try await row in try await connection.execute(statement, logger: postgres.logger) { found = row }
                        return found
                    }
                }.get()
            }
            // The same text with SQLKit's binds in place of $1, $2, $3.
            var query = SQLQueryString("")
            var rest = Substring(sql)
            while let dollar = rest.firstIndex(of: "$") {
                query.appendLiteral(String(rest[..<dollar]))
                switch rest[rest.index(after: dollar)] {
                case "1": query.appendInterpolation(bind: partnerID)
                case "2": query.appendInterpolation(bind: partnerCode)
                default: query.appendInterpolation(bind: card)
                }
                rest = rest[rest.index(dollar, offsetBy: 2)...]
            }
            query.appendLiteral(String(rest))
            return try await (database as! any SQLDatabase).raw(query).first(decoding: PatronRow.self)
        }
    }

    fileprivate struct Prepared: PostgresPreparedStatement {
        static let sql = PatronRow.sql
        let partnerID: UUID, partnerCode: String, card: String

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(partnerID)
            bindings.append(partnerCode)
            bindings.append(card)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> PatronRow {
            try row.sql().decode(model: PatronRow.self, with: SQLRowDecoder())
        }
    }
}
