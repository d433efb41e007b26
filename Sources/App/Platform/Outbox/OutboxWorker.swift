import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PersonalDataVault
import SQLKit
import Vapor

/// Delivers outbox messages: claims a batch (so several app instances never deliver the same message
/// at once), hands each to the handler of its kind, and retries failures with exponential backoff.
/// Messages sharing a partition key go one at a time, oldest first.
final class OutboxWorker: Sendable {
    typealias Handler = @Sendable (OutboxMessage) async throws -> Void

    let database: @Sendable () -> any Database
    let clock: OneCardClock
    let logger: Logger
    let handlers: [OutboxMessage.Kind: Handler]
    let maxAttempts: Int
    let claimDuration: TimeInterval
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(database: @escaping @Sendable () -> any Database, clock: OneCardClock, logger: Logger,
         handlers: [OutboxMessage.Kind: Handler], maxAttempts: Int = 12, claimDuration: TimeInterval = 120) {
        self.database = database
        self.clock = clock
        self.logger = logger
        self.handlers = handlers
        self.maxAttempts = maxAttempts
        self.claimDuration = claimDuration
    }

    /// 30 s, 1 min, 2 min … capped at one hour.
    static func backoff(afterAttempt attempt: Int) -> TimeInterval {
        min(30 * pow(2, Double(max(attempt - 1, 0))), 3600)
    }

    /// One pass: delivers every message that is due now. Returns how many were delivered.
    /// `kinds` limits the pass to those kinds (a test answering link requests but keeping their emails
    /// queued to read them).
    @discardableResult
    func deliverDue(batchSize: Int = 20, kinds: Set<OutboxMessage.Kind>? = nil) async throws -> Int {
        var delivered = 0
        while true {
            let batch = try await claim(limit: batchSize, kinds: kinds)
            if batch.isEmpty { return delivered }
            for message in batch {
                if try await deliver(message) { delivered += 1 }
            }
        }
    }

    /// Claims one message and delivers it now, as a pass would (an administrator's test delivery, which
    /// shows its result at once). Nil when another pass holds it or it is not pending; otherwise the message
    /// as it was left (delivered, or with its error and next attempt).
    func deliverNow(_ id: Int) async throws -> OutboxMessage? {
        guard let sql = database() as? any SQLDatabase else { return nil }
        let now = clock.now()
        let table = OutboxMessage.schema
        let claimed = try await sql.raw("""
            UPDATE \(ident: table) SET claimed_until = \(bind: now.addingTimeInterval(claimDuration))
            WHERE id = \(bind: id) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < \(bind: now))
            RETURNING id
            """).all()
        guard !claimed.isEmpty, let message = try await OutboxMessage.find(id, on: database()) else { return nil }
        _ = try await deliver(message)
        return message
    }

    private func claim(limit: Int, kinds: Set<OutboxMessage.Kind>?) async throws -> [OutboxMessage] {
        guard let sql = database() as? any SQLDatabase else { return [] }
        let now = clock.now()
        let table = OutboxMessage.schema
        // The outer conditions repeat the inner ones: under concurrency PostgreSQL re-checks them on the
        // row it is about to update, so a row another instance just claimed is skipped, not claimed twice.
        let rows = try await sql.raw("""
            UPDATE \(ident: table) SET claimed_until = \(bind: now.addingTimeInterval(claimDuration))
            WHERE id IN (
                SELECT o.id FROM \(ident: table) o
                WHERE o.status = 'pending' AND o.available_at <= \(bind: now)
                  AND (o.claimed_until IS NULL OR o.claimed_until < \(bind: now))
                  \(unsafeRaw: kinds.map { "AND o.kind IN (\($0.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")))" } ?? "")
                  AND (o.partition_key IS NULL OR NOT EXISTS (
                      SELECT 1 FROM \(ident: table) p
                      WHERE p.partition_key = o.partition_key AND p.status = 'pending' AND p.id < o.id))
                ORDER BY o.id LIMIT \(unsafeRaw: String(limit)))
            AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < \(bind: now))
            RETURNING id
            """).all()
        let ids = try rows.map { try $0.decode(column: "id", as: Int.self) }
        guard !ids.isEmpty else { return [] }
        return try await OutboxMessage.query(on: database()).filter(\.$id ~~ ids).sort(\.$id).all()
    }

    private func deliver(_ message: OutboxMessage) async throws -> Bool {
        let db = database()
        message.attempts += 1
        do {
            guard let handler = handlers[message.kind] else {
                throw Abort(.internalServerError, reason: "no delivery handler for \(message.kind.rawValue)")
            }
            try await handler(message)
            message.status = .delivered
            message.deliveredAt = clock.now()
            // Sent: the link is the recipient's alone now; the stored message keeps its placeholder.
            message.secretsSealed = nil
            message.claimedUntil = nil
            message.lastError = nil
            Self.emptyIfMarked(message)
            try await message.save(on: db)
            return true
        } catch {
            message.lastError = String(describing: error).prefix(500).description
            message.claimedUntil = nil
            if message.attempts >= maxAttempts {
                message.status = .failed
                // Nobody will send it again (only partner events are retried by hand), so nothing needs the link.
                message.secretsSealed = nil
                Self.emptyIfMarked(message)
                logger.error("outbox message gave up", metadata: ["outbox_id": "\(message.id ?? 0)", "kind": .string(message.kind.rawValue)])
            } else {
                message.availableAt = clock.now().addingTimeInterval(Self.backoff(afterAttempt: message.attempts))
                logger.warning("outbox delivery failed; will retry", metadata: [
                    "outbox_id": "\(message.id ?? 0)", "attempt": "\(message.attempts)", "error": .string(message.lastError ?? ""),
                ])
            }
            try await message.save(on: db)
            return false
        }
    }

    func start(interval: TimeAmount) {
        let nanoseconds = UInt64(max(interval.nanoseconds, 1_000_000))
        task.withLockedValue { current in
            guard current == nil else { return }
            current = Task { [self] in
                while !Task.isCancelled {
                    do {
                        try await deliverDue()
                    } catch {
                        logger.warning("outbox pass failed", metadata: ["error": .string(String(describing: error))])
                    }
                    try? await Task.sleep(nanoseconds: nanoseconds)
                }
            }
        }
    }

    func stop() async {
        let running = task.withLockedValue { current -> Task<Void, Never>? in
            defer { current = nil }
            return current
        }
        running?.cancel()
        await running?.value
    }
}

extension OutboxWorker {
    /// A message marked `emptiedOnceSent`, now delivered or given up, keeps only its Message-ID and date,
    /// as `PatronMail.emptied` leaves a message after 30 days; the error text, which may quote the address
    /// (an SMTP reply such as "550 <a@b>: no such user"), goes too.
    static func emptyIfMarked(_ message: OutboxMessage) {
        guard message.emptiedOnceSent, message.kind == .email,
              let stored = try? JSONDecoder().decode(MailMessage.self, from: Data(message.payload.utf8)),
              let emptied = try? JSONEncoder.sorted.encode(PatronMail.emptied(stored))
        else { return }
        message.payload = String(decoding: emptied, as: UTF8.self)
        message.lastError = nil
    }

    /// Puts the message's sealed secrets (its one-time link) back only in the copy it sends.
    static func emailHandler(_ mailer: any Mailer, vault: PersonalDataVault) -> Handler {
        { message in
            let stored = try JSONDecoder().decode(MailMessage.self, from: Data(message.payload.utf8))
            try await mailer.send(OutboxSecrets.reveal(stored, sealed: message.secretsSealed, with: vault))
        }
    }
}
