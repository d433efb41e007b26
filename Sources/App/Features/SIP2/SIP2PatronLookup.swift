import Foundation
import OneCardDomain
import SQLKit

/// SIP2's patron lookup as one statement (issue #13 item 2): the SIP2 account's row by its id (has it
/// been disabled since its connection logged in, and which library is it), the active card holder the
/// identifier names, and whether that library may see them (`PatronVisibility.condition`).
///
/// SQLKit rows, not Fluent models: a profile of patron status (23) showed the account and patron models'
/// decoding and the three to four round trips as most of a transaction's time. Nothing about the account
/// is cached: its row is read by primary key in the same statement at no measurable cost, so a change
/// made by any process (`onecard sip2 account disable` runs in its own, and PostgreSQL deployments run
/// several instances) applies from the next request on, with nothing to invalidate.
struct SIP2PatronLookup {
    let database: any SQLDatabase

    /// A card holder as SIP2 answers about them.
    struct Patron: Sendable {
        let id: UUID
        let cardNumber: String?
        let name: String
        let email: String?
        let mobile: String?
        let homePhone: String?
        let cardKind: App.Patron.CardKind
        let passwordHash: String?
        let validity: CardValidity
    }

    enum Outcome {
        /// No account with this id (deleted since its connection logged in).
        case noAccount
        case accountDisabled
        /// The patron, or nil when the identifier names no active card this account's library may see.
        case account(patron: Patron?)
    }

    private struct Row: Decodable {
        let accountDisabled: Int
        let visible: Int
        let id: UUID?
        let cardNumber: String?
        let name: String?
        let email: String?
        let mobile: String?
        let homePhone: String?
        let cardKind: String?
        let passwordHash: String?
        let cardValidUntil: String?
        let suspendedAt: Date?
        let suspensionReason: String?

        enum CodingKeys: String, CodingKey {
            case visible, id, name, email, mobile
            case accountDisabled = "account_disabled", cardNumber = "card_number", homePhone = "home_phone", cardKind = "card_kind"
            case passwordHash = "password_hash", cardValidUntil = "card_valid_until", suspendedAt = "suspended_at"
            case suspensionReason = "suspension_reason"
        }
    }

    /// `key` nil (the identifier can name no card) still reads the account, so a disabled one is told.
    func find(_ key: PatronDirectory.LookupKey?, account accountID: UUID) async throws -> Outcome {
        let library = SQLColumn("library_id", table: "account")
        let names: SQLQueryString = if let key { "patron.\(ident: key.column) = \(bind: key.value)" } else { "1 = 0" }
        let rows = try await database.raw("""
            SELECT CASE WHEN account.disabled_at IS NULL THEN 0 ELSE 1 END AS account_disabled,
                CASE WHEN patron.id IS NULL THEN 0 WHEN \(PatronVisibility.condition(patron: "patron", library: library)) THEN 1 ELSE 0 END AS visible,
                patron.id, patron.card_number, patron.name, patron.email, patron.mobile, patron.home_phone, patron.card_kind,
                patron.password_hash, patron.card_valid_until, patron.suspended_at, patron.suspension_reason
            FROM \(ident: SIP2AccountRecord.schema) account
            LEFT JOIN \(ident: App.Patron.schema) patron
                ON \(names) AND patron.status = \(bind: App.Patron.Status.active.rawValue)
            WHERE account.id = \(bind: accountID)
            """).all(decoding: Row.self)
        guard let row = rows.first else { return .noAccount }
        guard row.accountDisabled == 0 else { return .accountDisabled }
        guard row.visible == 1, let id = row.id, let name = row.name, let kind = row.cardKind.flatMap(App.Patron.CardKind.init)
        else { return .account(patron: nil) }
        return .account(patron: Patron(
            id: id, cardNumber: row.cardNumber, name: name, email: row.email, mobile: row.mobile, homePhone: row.homePhone,
            cardKind: kind, passwordHash: row.passwordHash,
            validity: App.Patron.validity(validUntil: row.cardValidUntil, suspendedAt: row.suspendedAt, reason: row.suspensionReason)))
    }
}
