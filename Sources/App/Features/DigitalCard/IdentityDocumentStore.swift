import Fluent
import Foundation

/// Uploaded identity documents in the `SealedFileStore` (on disk or in the database), under their file
/// row's id; the file id is the sealing context, so a file cannot be swapped for another.
struct IdentityDocumentStore: Sendable {
    let files: SealedFileStore

    static func context(_ id: UUID) -> String { "identity_document:\(id.uuidString.lowercased())" }

    func write(_ bytes: [UInt8], id: UUID, on transaction: (any Database)? = nil) async throws {
        try await files.store(Data(bytes), id: id, context: Self.context(id), on: transaction)
    }

    func read(_ id: UUID) async throws -> Data {
        try await files.load(id: id, context: Self.context(id))
    }

    func erase(_ id: UUID, on transaction: (any Database)? = nil) async throws {
        try await files.remove(id: id, on: transaction)
    }
}
