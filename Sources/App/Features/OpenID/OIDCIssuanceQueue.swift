import FluentKit
import Foundation

/// Group commit for the token endpoint (issue #15 item 1: 500 code exchanges and refreshes a second).
///
/// Every exchange and refresh spends a row and writes two tokens and an audit entry, in a transaction.
/// On the embedded SQLite every write waits for the one writer, and each of a transaction's five
/// statements is a trip to SQLite's thread and back, so one issuance a transaction held the writer for
/// most of the time the endpoint took (about 400 a second on two busy cores). Here the issuances that
/// arrive while a transaction is being written wait, and go together in the next one (`GroupCommit`): the
/// same five statements for all of them (`OIDCTokenStore.write`). Nothing changes for each of them: it is
/// claimed once in the database, audited in the same commit, and told whether it won only once that has
/// committed. PostgreSQL gains too: one commit (one WAL flush) for the batch.
struct OIDCIssuanceQueue: Sendable {
    /// Issuances in one transaction at most (binds stay far below SQLite's limit of 32,766).
    static let batchLimit = 128

    private let commit = GroupCommit<OIDCTokenStore.Issuance, Bool>(batchLimit: OIDCIssuanceQueue.batchLimit) { batch, database in
        try await OIDCTokenStore.write(batch, on: database)
    }

    /// Writes `issuance` with the others waiting; true when it won its claim (and its tokens are committed),
    /// false when what it spends had been spent.
    func issue(_ issuance: OIDCTokenStore.Issuance, on database: any Database) async throws -> Bool {
        try await commit.submit(issuance, on: database)
    }
}
