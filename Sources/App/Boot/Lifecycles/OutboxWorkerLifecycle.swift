import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Vapor

/// Runs the outbox worker, and hourly housekeeping (expiring stale applications and sessions), while the server
/// runs; stops both cleanly on shutdown.
struct OutboxWorkerLifecycle: LifecycleHandler {
    let interval: TimeAmount
    private let housekeeping = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(interval: TimeAmount) {
        self.interval = interval
    }

    func didBootAsync(_ application: Application) async throws {
        application.outboxWorker.start(interval: interval)
        housekeeping.withLockedValue { task in
            task = Task {
                while !Task.isCancelled {
                    do {
                        try await ApplicationExpiry(app: application, now: application.clock.now()).run(on: application.db)
                        try await DigitalCardService(app: application, database: application.db, now: application.clock.now()).housekeeping()
                        try application.citizenCertificates.reload()
                        try await WebSessions.deleteExpired(now: application.clock.now(), on: application.db)
                        try await PatronMail.emptyDelivered(now: application.clock.now(), app: application)
                    } catch {
                        application.logger.warning("expiring applications failed", metadata: ["error": .string(String(describing: error))])
                    }
                    try? await Task.sleep(nanoseconds: 3_600_000_000_000)
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        let task = housekeeping.withLockedValue { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        await application.outboxWorker.stop()
    }
}
