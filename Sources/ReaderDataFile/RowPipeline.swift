import Foundation

/// Checks data rows on a second thread while the format reader inflates and scans the file, so a
/// large file takes about half the time on two cores. Rows go across in batches through a small
/// bounded queue (memory stays bounded), and are checked in file order, so the report is the same as
/// when checking on one thread.
final class RowPipeline: @unchecked Sendable {
    static let batchSize = 512
    static let maximumQueuedBatches = 8

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [[SheetRow]] = []
    private var closed = false
    private var done = false
    private var failure: (any Error)?
    // Only the worker touches the assembler between `start` and the end of `finish`.
    private var assembler: RosterAssembler

    init(assembler: RosterAssembler) {
        self.assembler = assembler
    }

    func start() {
        let thread = Thread { [self] in work() }
        thread.name = "ReaderDataFile.rows"
        thread.start()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty, !closed { condition.wait() }
            if queue.isEmpty {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let batch = queue.removeFirst()
            let skip = failure != nil
            condition.broadcast()
            condition.unlock()
            if skip { continue }
            do {
                for row in batch { _ = try assembler.consume(row) }
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// Queues a batch, waiting while the queue is full; throws the worker's error (e.g. too many rows) so the reader stops.
    func send(_ batch: [SheetRow]) throws {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= Self.maximumQueuedBatches, failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append(batch)
        condition.broadcast()
    }

    /// Waits until every queued row is checked; returns the assembler or throws the worker's error.
    func finish() throws -> RosterAssembler {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        let failure = self.failure
        condition.unlock()
        if let failure { throw failure }
        return assembler
    }
}

/// The consumer readers feed: finds the header on the reader's thread, then hands data rows to a `RowPipeline`.
struct PipelinedAssembler: RowConsumer {
    private var assembler: RosterAssembler
    private var pipeline: RowPipeline?
    private var batch: [SheetRow] = []
    private let concurrent: Bool

    init(_ assembler: RosterAssembler, concurrent: Bool) {
        self.assembler = assembler
        self.concurrent = concurrent
    }

    mutating func beginSheet(named name: String) {
        assembler.beginSheet(named: name)
    }

    mutating func consume(_ row: SheetRow) throws -> RowDisposition {
        if let pipeline {
            batch.append(row)
            if batch.count >= RowPipeline.batchSize {
                let full = batch
                batch = []
                batch.reserveCapacity(RowPipeline.batchSize)
                try pipeline.send(full)
            }
            return .more
        }
        let disposition = try assembler.consume(row)
        if concurrent, assembler.hasHeader {
            let pipeline = RowPipeline(assembler: assembler)
            pipeline.start()
            self.pipeline = pipeline
            batch.reserveCapacity(RowPipeline.batchSize)
        }
        return disposition
    }

    mutating func endSheet() throws -> Bool {
        try drain()
        return try assembler.endSheet()
    }

    /// Sends the last rows and waits for the worker; afterwards the assembler holds every result.
    mutating func drain() throws {
        guard let pipeline else { return }
        self.pipeline = nil
        let last = batch
        batch = []
        var sendError: (any Error)?
        if !last.isEmpty {
            do { try pipeline.send(last) } catch { sendError = error }
        }
        assembler = try pipeline.finish()
        if let sendError { throw sendError }
    }

    /// Stops the worker after a reading error; safe to call more than once.
    mutating func shutDown() {
        guard let pipeline else { return }
        self.pipeline = nil
        batch = []
        _ = try? pipeline.finish()
    }

    func report(format: ReaderDataFileFormat) -> ReaderDataFileReport {
        assembler.report(format: format)
    }
}
