import FluentKit
import Foundation
import SQLKit

/// Group commit for audit entries of hot read paths (issue #13 item 1: the partner lookup; SIP2 too).
///
/// `AuditTrail.record` saves one Fluent model per entry: on the embedded SQLite each one waits for the one
/// writer and commits (syncs) alone. Here the entries that arrive while a batch is being written wait, and go
/// together in the next one: one multi-row INSERT, one commit. `record` returns only once its entry is
/// committed, and throws when it could not be, so a caller that answers after `record` never answers what
/// was not audited. For entries that belong to no change of their own (a lookup, a status query); an entry
/// that records a change goes in that change's transaction with `AuditTrail.record`.
actor AuditBatchWriter {
    /// Entries in one INSERT at most (10 binds each: far below SQLite's limit of 32,766).
    static let batchLimit = 256

    private var waiting: [(entry: AuditEntry, answer: CheckedContinuation<Void, any Error>)] = []
    private var writing = false

    /// Writes `entry` with the others waiting; returns once it is committed.
    func record(_ entry: AuditEntry, on database: any Database) async throws {
        try await withCheckedThrowingContinuation { answer in
            waiting.append((entry, answer))
            if !writing {
                writing = true
                Task { await self.drain(on: database) }
            }
        }
    }

    /// Writes batches until nobody waits; entries that arrive during a write go in the next batch.
    private func drain(on database: any Database) async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.batchLimit))
            waiting.removeFirst(batch.count)
            do {
                try await Self.write(batch.map(\.entry), on: database)
                for entry in batch { entry.answer.resume() }
            } catch {
                for entry in batch { entry.answer.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// The entries as one INSERT: one statement, so all of them are committed or none.
    static func write(_ entries: [AuditEntry], on database: any Database) async throws {
        guard !entries.isEmpty else { return }
        func optional(_ value: (any Encodable & Sendable)?) -> any SQLExpression { value.map { SQLBind($0) } ?? SQLLiteral.null }
        var insert = (database as! any SQLDatabase).insert(into: AuditEvent.schema)
            .columns("id", "occurred_at", "actor_type", "actor_id", "action", "subject_type", "subject_id", "library_id",
                     "ip_address", "details")
        for entry in entries {
            let details = entry.details.isEmpty
                ? nil : String(decoding: try JSONEncoder.sorted.encode(entry.details), as: UTF8.self)
            insert = insert.values(SQLBind(UUID()), SQLBind(entry.time), SQLBind(entry.actor.type), optional(entry.actor.id),
                                   SQLBind(entry.action), optional(entry.subject?.type), optional(entry.subject?.id),
                                   optional(entry.libraryID), optional(entry.actor.ipAddress), optional(details))
        }
        try await insert.run()
    }
}
