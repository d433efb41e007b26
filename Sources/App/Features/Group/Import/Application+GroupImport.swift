import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneCardDomain
import SQLKit
import Vapor

extension Application {
    /// Starts the import of an approved batch: in the background while the server runs (the worker also
    /// resumes it after a restart), at once where no background work runs (tests, commands).
    func startGroupImport(_ batchID: UUID) async throws {
        let importer = GroupBatchImporter(app: self)
        if settings.runsBackgroundWorkers {
            let logger = self.logger
            Task.detached {
                do {
                    try await importer.run(batchID: batchID)
                } catch {
                    logger.error("group batch import failed; the worker will resume it",
                                 metadata: ["batch": .string(batchID.uuidString), "error": .string(String(describing: error))])
                }
            }
        } else {
            try await importer.run(batchID: batchID)
        }
    }
}
