import Fluent
import Foundation
import XCTVapor
@testable import App

/// What an app keeps of its sealed files, wherever its settings keep them: every entry of `uploads/`
/// on disk (by file name), or every row of `sealed_files` (by lowercased id), with the stored bytes.
/// Tests that look at stored files use this, so they hold on the embedded default and on PostgreSQL.
func storedSealedFiles(_ app: Application) async throws -> [String: Data] {
    switch app.settings.fileStorage {
    case .disk:
        return filesUnderUploads(app)
    case .database:
        var stored: [String: Data] = [:]
        for row in try await SealedFile.query(on: app.db).all() { stored[row.id!.uuidString.lowercased()] = row.sealed }
        return stored
    }
}

/// Every entry of the data directory's `uploads/` (also when files are kept in the database).
func filesUnderUploads(_ app: Application) -> [String: Data] {
    let directory = (app.settings.dataDirectory as NSString).appendingPathComponent("uploads")
    var stored: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
        stored[name] = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name)) ?? Data()
    }
    return stored
}
