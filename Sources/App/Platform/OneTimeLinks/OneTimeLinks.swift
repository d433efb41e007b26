import Fluent
import Foundation
import SQLKit

/// The one mechanism behind every emailed one-time link (password reset, card activation, staff
/// invitation, group contact sign-in): a random token of which only the SHA-256 is stored, an expiry,
/// a lookup of a valid link, and a redemption that re-checks inside the caller's transaction, so a
/// link used by two requests at once is consumed exactly once.
struct OneTimeLinks<Record: OneTimeLinkRecord> {
    let now: Date

    /// A new token, its hash and its expiry; the caller stores the hash and expiry in its record.
    func issue(lifetime: TimeInterval) -> IssuedOneTimeLink {
        let (token, hash) = OneTimeToken.make()
        return IssuedOneTimeLink(token: token, hash: hash, expiresAt: now.addingTimeInterval(lifetime))
    }

    /// The record of an unused, unexpired link with this token; nil otherwise. `loading` adds eager
    /// loads (the patron, the application, …); the caller checks what else makes its link valid.
    func find(_ token: String, on database: any Database,
              loading: (QueryBuilder<Record>) -> QueryBuilder<Record> = { $0 }) async throws -> Record? {
        guard !token.isEmpty else { return nil }
        var query = Record.query(on: database).filter(Record.tokenHashColumn, .equal, OneTimeToken.hash(token))
        if case .stampsUsedAt(let usedAt) = Record.consumption {
            query = query.filter(.path([usedAt], schema: Record.schema), .equal, .null)
        }
        guard let record = try await loading(query).first(), let expiry = record.linkExpiresAt, expiry > now else { return nil }
        return record
    }

    /// Marks `record`'s link used, on the caller's transaction; false when another request used it
    /// first. The update is conditional on the link being still unused, so of two requests racing
    /// with the same link exactly one gets true, on SQLite and PostgreSQL alike.
    func redeem(_ record: Record, on transaction: any Database) async throws -> Bool {
        let sql = transaction as! any SQLDatabase
        var update = sql.update(Record.schema).where("id", .equal, SQLBind(try record.requireID()))
        switch Record.consumption {
        case .stampsUsedAt(let usedAt):
            update = update.set(SQLIdentifier(usedAt.description), to: SQLBind(now))
                .where(SQLIdentifier(usedAt.description), .is, SQLLiteral.null)
        case .clearsHash(let others):
            update = update.set(SQLIdentifier(Record.tokenHashColumn.description), to: SQLLiteral.null)
            for column in others { update = update.set(SQLIdentifier(column.description), to: SQLLiteral.null) }
            update = update.where(SQLIdentifier(Record.tokenHashColumn.description), .equal, SQLBind(record.linkTokenHash))
        }
        return try await !update.returning("id").all().isEmpty
    }
}
