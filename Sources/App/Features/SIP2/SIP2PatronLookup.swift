import FluentPostgresDriver
import Foundation
import OneCardDomain
import SQLKit

/// SIP2's patron lookup as one statement (issue #13 item 2): the SIP2 account's row by its id (has it
/// been disabled since its connection logged in, and which library is it), the active card holder the
/// identifier names, and whether that library may see them (`PatronVisibility.condition`).
///
/// SQLKit rows, not Fluent models: a profile of patron status (23) showed the account and patron models'
/// decoding and the three to four round trips as most of a transaction's time. On PostgreSQL the statement
/// is prepared once per connection: planning it took about 0.8 ms of the 1 ms a lookup cost there, the
/// execution 0.15 ms. Nothing about the account is cached: its row is read by primary key in the same
/// statement at no measurable cost, so a change made by any process (`onecard sip2 account disable` runs
/// in its own, and PostgreSQL deployments run several instances) applies from the next request on, with
/// nothing to invalidate.
struct SIP2PatronLookup {
    let database: any SQLDatabase

    /// A card holder as SIP2 answers about them.
    struct Patron: Sendable {
        let id: UUID
        /// The card holder's home library (the reader's 個人資料查閱紀錄 files a SIP2 lookup under it).
        let libraryID: UUID
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
        /// The account's current address list and password hash (a connection logged in under others is
        /// withdrawn), and the patron, or nil when the identifier names no active card this account's
        /// library may see.
        case account(allowedAddresses: String, passwordHash: String, patron: Patron?)
    }

    /// `key` nil (the identifier can name no card) still reads the account, so a disabled one is told.
    func find(_ key: PatronDirectory.LookupKey?, account accountID: UUID) async throws -> Outcome {
        let row: Row?
        if let postgres = database as? any PostgresDatabase, let key {
            row = try await Self.prepared(key, account: accountID, on: postgres)
        } else {
            // The statement's text with SQLKit's binds in place of $1, $2, $3.
            var query = SQLQueryString("")
            let text = Self.sql(column: key?.column)
            var rest = Substring(text)
            while let dollar = rest.firstIndex(of: "$") {
                query.appendLiteral(String(rest[..<dollar]))
                let number = rest[rest.index(after: dollar)]
                switch number {
                case "1": query.appendInterpolation(bind: accountID)
                case "2": query.appendInterpolation(bind: App.Patron.Status.active.rawValue)
                default: query.appendInterpolation(bind: key?.value ?? "")
                }
                rest = rest[rest.index(dollar, offsetBy: 2)...]
            }
            query.appendLiteral(String(rest))
            row = try await database.raw(query).first(decoding: Row.self)
        }
        guard let row else { return .noAccount }
        guard row.accountDisabled == 0 else { return .accountDisabled }
        guard row.visible == 1, let id = row.id, let libraryID = row.libraryID, let name = row.name,
              let kind = row.cardKind.flatMap(App.Patron.CardKind.init)
        else { return .account(allowedAddresses: row.allowedAddresses, passwordHash: row.accountPasswordHash, patron: nil) }
        return .account(allowedAddresses: row.allowedAddresses, passwordHash: row.accountPasswordHash, patron: Patron(
            id: id, libraryID: libraryID, cardNumber: row.cardNumber, name: name, email: row.email, mobile: row.mobile, homePhone: row.homePhone,
            cardKind: kind, passwordHash: row.passwordHash,
            validity: App.Patron.validity(validUntil: row.cardValidUntil, suspendedAt: row.suspendedAt, reason: row.suspensionReason)))
    }

    /// The statement: $1 the account's id, $2 the active status, $3 the value of `column` (nil: no patron).
    static func sql(column: String?) -> String {
        """
        SELECT CASE WHEN account.disabled_at IS NULL THEN 0 ELSE 1 END AS account_disabled,
            account.allowed_addresses, account.password_hash AS account_password_hash, patron.library_id AS patron_library_id,
            CASE WHEN patron.id IS NULL THEN 0 WHEN \(PatronVisibility.condition(patron: "patron", library: "account.library_id"))
                THEN 1 ELSE 0 END AS visible,
            patron.id, patron.card_number, patron.name, patron.email, patron.mobile, patron.home_phone, patron.card_kind,
            patron.password_hash, patron.card_valid_until, patron.suspended_at, patron.suspension_reason
        FROM \(SIP2AccountRecord.schema) account
        LEFT JOIN \(App.Patron.schema) patron ON \(column.map { "patron.\($0) = $3" } ?? "1 = 0") AND patron.status = $2
        WHERE account.id = $1
        """
    }

    fileprivate struct Row: Decodable {
        let accountDisabled: Int
        let allowedAddresses: String
        let accountPasswordHash: String
        let libraryID: UUID?
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
            case accountDisabled = "account_disabled", allowedAddresses = "allowed_addresses"
            case accountPasswordHash = "account_password_hash", libraryID = "patron_library_id"
            case cardNumber = "card_number", homePhone = "home_phone", cardKind = "card_kind"
            case passwordHash = "password_hash", cardValidUntil = "card_valid_until", suspendedAt = "suspended_at"
            case suspensionReason = "suspension_reason"
        }
    }

    // MARK: PostgreSQL

    /// One prepared statement per way of naming a card: PostgresNIO prepares a statement type once per
    /// connection, by its name, and runs it by name from then on.
    fileprivate protocol Prepared: PostgresPreparedStatement where Row == SIP2PatronLookup.Row {
        static var column: String { get }
        var accountID: UUID { get }
        var value: String { get }
    }

    fileprivate struct ByCardNumber: Prepared {
        static let column = "card_number"
        static let sql = SIP2PatronLookup.sql(column: column)
        let accountID: UUID, value: String
    }

    fileprivate struct ByIDNumberIndex: Prepared {
        static let column = "id_number_index"
        static let sql = SIP2PatronLookup.sql(column: column)
        let accountID: UUID, value: String
    }

    fileprivate struct ByEasyCardIndex: Prepared {
        static let column = "easy_card_index"
        static let sql = SIP2PatronLookup.sql(column: column)
        let accountID: UUID, value: String
    }

    private static func prepared(_ key: PatronDirectory.LookupKey, account: UUID, on postgres: any PostgresDatabase) async throws -> Row? {
        switch key {
        case .cardNumber(let value): try await run(ByCardNumber(accountID: account, value: value), on: postgres)
        case .idNumberIndex(let value): try await run(ByIDNumberIndex(accountID: account, value: value), on: postgres)
        case .easyCardIndex(let value): try await run(ByEasyCardIndex(accountID: account, value: value), on: postgres)
        }
    }

    private static func run<Statement: Prepared>(_ statement: Statement, on postgres: any PostgresDatabase) async throws -> Row? {
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var found: Row?
                for try await row in try await connection.execute(statement, logger: postgres.logger) { found = row }
                return found
            }
        }.get()
    }
}

extension SIP2PatronLookup.Prepared {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(accountID)
        bindings.append(App.Patron.Status.active.rawValue)
        bindings.append(value)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> SIP2PatronLookup.Row {
        try row.sql().decode(model: SIP2PatronLookup.Row.self, with: SQLRowDecoder())
    }
}
