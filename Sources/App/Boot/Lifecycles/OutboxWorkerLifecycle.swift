import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Vapor

/// Runs the outbox worker, and hourly housekeeping (expiring stale applications, sessions, captcha challenges, and OIDC codes
/// and tokens), while the server runs; stops both cleanly on shutdown.
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
                        let settings = application.settings
                        try await ApplicationExpiry(pendingApplicationLifetimeDays: settings.pendingApplicationLifetimeDays,
                                                    mailDropDirectory: settings.mailDropDirectory, logger: application.logger,
                                                    now: application.clock.now()).run(on: application.db)
                        try await Self.digitalCards(application).housekeeping()
                        try await CardExpiryEvents(database: application.db, now: application.clock.now()).run()
                        try application.citizenCertificates.reload()
                        try await WebSessions.deleteExpired(now: application.clock.now(), on: application.db)
                        try await Captcha.deleteExpired(now: application.clock.now(), on: application.db)
                        try await OIDCHousekeeping.deleteExpired(now: application.clock.now(), on: application.db)
                        try await PatronMail.emptyDelivered(now: application.clock.now(), on: application.db,
                                                            mailDropDirectory: settings.mailDropDirectory, logger: application.logger)
                    } catch {
                        application.logger.warning("expiring applications failed", metadata: ["error": .string(String(describing: error))])
                    }
                    try? await Task.sleep(nanoseconds: 3_600_000_000_000)
                }
            }
        }
    }

    /// The digital card service as housekeeping uses it (retention), with the app's parts.
    static func digitalCards(_ application: Application) -> DigitalCardService {
        let now = application.clock.now()
        return DigitalCardService(
            database: application.db, vault: application.vault,
            outbox: Outbox(localizer: application.localizer, settings: application.settings, vault: application.vault, now: now),
            passwordPolicy: application.passwordPolicy, passwordHasher: application.passwordHashing,
            threadPool: application.threadPool,
            documents: application.identityDocuments,
            certificates: application.citizenCertificates, baseURL: application.settings.baseURL,
            uploadRetentionDays: application.settings.uploadRetentionDays,
            mailDropDirectory: application.settings.mailDropDirectory, logger: application.logger, now: now)
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
