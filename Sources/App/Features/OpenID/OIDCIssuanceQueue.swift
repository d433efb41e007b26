import FluentKit
import Foundation

/// Group commit for the token endpoint (issue #15 item 1: 500 code exchanges and refreshes a second).
///
/// Every exchange and refresh spends a row and writes two tokens and an audit entry, in a transaction.
/// On the embedded SQLite every write waits for the one writer, and each of a transaction's five
/// statements is a trip to SQLite's thread and back, so one issuance a transaction held the writer for
/// most of the time the endpoint took (about 400 a second on two busy cores). Here the issuances that
/// arrive while a transaction is being written wait, and go together in the next one: the same five
/// statements for all of them (`OIDCTokenStore.write`). Nothing changes for each of them: it is claimed
/// once in the database, audited in the same commit, and told whether it won only once that has committed.
/// PostgreSQL gains too: one commit (one WAL flush) for the batch.
actor OIDCIssuanceQueue {
    /// Issuances in one transaction at most (binds stay far below SQLite's limit of 32,766).
    static let batchLimit = 128

    private var waiting: [(issuance: OIDCTokenStore.Issuance, answer: CheckedContinuation<Bool, any Error>)] = []
    private var writing = false

    /// Writes `issuance` with the others waiting; true when it won its claim (and its tokens are committed),
    /// false when what it spends had been spent.
    func issue(_ issuance: OIDCTokenStore.Issuance, on database: any Database) async throws -> Bool {
        try await withCheckedThrowingContinuation { answer in
            waiting.append((issuance, answer))
            if !writing {
                writing = true
                Task { await self.drain(on: database) }
            }
        }
    }

    /// Writes batches until nobody waits; issuances that arrive during a write go in the next batch.
    private func drain(on database: any Database) async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.batchLimit))
            waiting.removeFirst(batch.count)
            do {
                let won = try await OIDCTokenStore.write(batch.map(\.issuance), on: database)
                for (entry, won) in zip(batch, won) { entry.answer.resume(returning: won) }
            } catch {
                for entry in batch { entry.answer.resume(throwing: error) }
            }
        }
        writing = false
    }
}
