import Fluent
import Foundation
import NIOPosix
import PersonalDataVault

/// Files that hold personal data (identity documents, an organization's signed forms, a returned reader
/// data file), sealed with the vault. Each file is sealed under a context naming its record, so a file
/// swapped for another one does not open.
///
/// The bytes are kept by a `SealedFileBackend`: `uploads/<id>` in the data directory (the embedded
/// default) or the database's `sealed_files` table (the default with PostgreSQL, so that several
/// instances share them); `ONECARD_FILE_STORAGE` chooses, `onecard files move-to-database` moves.
struct SealedFileStore: Sendable {
    let vault: PersonalDataVault
    let backend: any SealedFileBackend
    /// Sealing and opening a file of up to 10 MB happens here, off the event loop.
    let threadPool: NIOThreadPool

    /// Seals and keeps the file. Inside the caller's transaction when it has one (`transaction`): in the
    /// database the file then commits with the rows that name it; on disk it is written at once, and the
    /// caller removes it again when its transaction fails.
    func store(_ bytes: Data, id: UUID, context: String, on transaction: (any Database)? = nil) async throws {
        let vault = vault
        let sealed = try await threadPool.runIfActive { try vault.seal(bytes, context: context) }
        try await backend.insert(sealed, id: id, keyID: vault.keyRing.currentKeyID, on: transaction)
    }

    /// The file's bytes; `SealedFileError.gone` when it has been erased.
    func load(id: UUID, context: String) async throws -> Data {
        guard let sealed = try await backend.read(id) else { throw SealedFileError.gone }
        let vault = vault
        return try await threadPool.runIfActive { try vault.open(sealed, context: context) }
    }

    /// The file sealed again under the vault's current key, in place. False when it was already current
    /// or is gone.
    func reseal(id: UUID, context: String) async throws -> Bool {
        guard let sealed = try await backend.read(id), let previous = vault.keyID(of: sealed) else { return false }
        let vault = vault
        guard let resealed = try await threadPool.runIfActive({ try vault.resealed(sealed, context: context) }) else { return false }
        return try await backend.replace(id, with: resealed, keyID: vault.keyRing.currentKeyID, previousKeyID: previous)
    }

    /// The id of the key the file is sealed with; nil when it is gone.
    func keyID(id: UUID) async throws -> String? {
        try await backend.keyID(id, vault: vault)
    }

    func exists(id: UUID) async throws -> Bool {
        try await backend.exists(id)
    }

    /// Erases the file (retention, erasure, a replaced upload, a failed transaction); nothing when it is
    /// already gone. Inside the caller's transaction when given, so the row saying it was erased and the
    /// erasure commit together.
    func remove(id: UUID, on transaction: (any Database)? = nil) async throws {
        try await backend.remove(id, on: transaction)
    }
}
