import FluentKit

/// Group commit: items that arrive while a batch is being written wait, and go together in the next batch,
/// written by `write` in one statement or transaction (one commit, one WAL flush). Each caller gets its own
/// item's answer only once its batch has committed, or the batch's error. On the embedded SQLite every write
/// waits for the one writer, so one commit per item held the writer for most of a hot path's time.
/// `OIDCIssuanceQueue` (the token endpoint) and `AuditBatchWriter` (hot paths' audit entries) use it.
actor GroupCommit<Item: Sendable, Answer: Sendable> {
    typealias Write = @Sendable ([Item], any Database) async throws -> [Answer]

    /// Items in one batch at most.
    let batchLimit: Int
    private let write: Write
    private var waiting: [(item: Item, answer: CheckedContinuation<Answer, any Error>)] = []
    private var writing = false

    /// `write` answers each item of the batch, in order.
    init(batchLimit: Int, write: @escaping Write) {
        self.batchLimit = batchLimit
        self.write = write
    }

    /// Writes `item` with the others waiting; its answer once the batch has committed.
    func submit(_ item: Item, on database: any Database) async throws -> Answer {
        try await withCheckedThrowingContinuation { answer in
            waiting.append((item, answer))
            if !writing {
                writing = true
                Task { await self.drain(on: database) }
            }
        }
    }

    /// Writes batches until nobody waits; items that arrive during a write go in the next batch.
    private func drain(on database: any Database) async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(batchLimit))
            waiting.removeFirst(batch.count)
            do {
                let answers = try await write(batch.map(\.item), database)
                for (entry, answer) in zip(batch, answers) { entry.answer.resume(returning: answer) }
            } catch {
                for entry in batch { entry.answer.resume(throwing: error) }
            }
        }
        writing = false
    }
}
