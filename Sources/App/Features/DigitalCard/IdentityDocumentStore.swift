import CitizenCertificate
import Foundation
import NIOConcurrencyHelpers
import PersonalDataVault
import UploadInspection
import Vapor

/// Uploaded identity documents on disk: `<data dir>/uploads/<file id>` in the `SealedFileStore` (the
/// file id is the sealing context, so a file cannot be swapped for another), owner-only, never under the
/// public folder.
struct IdentityDocumentStore: Sendable {
    let files: SealedFileStore

    init(dataDirectory: String, vault: PersonalDataVault) {
        files = SealedFileStore(dataDirectory: dataDirectory, vault: vault)
    }

    static func context(_ id: UUID) -> String { "identity_document:\(id.uuidString.lowercased())" }

    func write(_ bytes: [UInt8], id: UUID) throws {
        try files.store(Data(bytes), id: id, context: Self.context(id))
    }

    func read(_ id: UUID) throws -> Data {
        try files.load(id: id, context: Self.context(id))
    }

    func erase(_ id: UUID) throws {
        files.remove(id: id)
    }
}
