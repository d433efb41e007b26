import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneCardDomain
import SQLKit
import Vapor

/// Resumes imports left unfinished (a crash, a restart) every half minute while the server runs, and
/// removes returned reader data files past their time once an hour.
struct GroupImportLifecycle: LifecycleHandler {
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    func didBootAsync(_ application: Application) async throws {
        task.withLockedValue { task in
            task = Task {
                let importer = GroupBatchImporter(database: application.db, clock: application.clock, localizer: application.localizer,
                                                  settings: application.settings, vault: application.vault, logger: application.logger)
                var pass = 0
                while !Task.isCancelled {
                    do {
                        try await importer.resumeUnfinished()
                        if pass % 120 == 0 {
                            let now = application.clock.now()
                            try await GroupRosterIntake(database: application.db, vault: application.vault,
                                                        sealedFiles: application.sealedFiles, threadPool: application.threadPool,
                                                        outbox: Outbox(localizer: application.localizer, settings: application.settings, vault: application.vault, now: now),
                                                        now: now).removeStaleReturnedFiles()
                        }
                    } catch {
                        application.logger.warning("group housekeeping failed", metadata: ["error": .string(String(describing: error))])
                    }
                    pass += 1
                    try? await Task.sleep(nanoseconds: 30_000_000_000)
                }
            }
        }
    }

    func shutdownAsync(_ application: Application) async {
        let running = task.withLockedValue { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
