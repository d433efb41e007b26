import Foundation
import PersonalDataVault

/// Files that hold personal data (identity documents, an organization's signed forms, a returned reader
/// data file), sealed with the vault and kept in the data directory, outside any public folder:
/// `uploads/<id>`, owner-only. Each file is sealed under a context naming its record, so a file swapped
/// for another one on disk does not open.
///
/// Several instances sharing one PostgreSQL database must share this directory too (a network volume).
struct SealedFileStore: Sendable {
    let directory: String
    let vault: PersonalDataVault

    init(dataDirectory: String, vault: PersonalDataVault) {
        directory = (dataDirectory as NSString).appendingPathComponent("uploads")
        self.vault = vault
    }

    private func path(_ id: UUID) -> String {
        (directory as NSString).appendingPathComponent(id.uuidString.lowercased())
    }

    /// Seals and writes the file; a temporary name and a rename, so a crash never leaves half a file.
    func store(_ bytes: Data, id: UUID, context: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try writeSealed(try vault.seal(bytes, context: context), id: id)
    }

    private func writeSealed(_ sealed: Data, id: UUID) throws {
        let target = path(id)
        let temporary = target + ".part-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: sealed, attributes: [.posixPermissions: 0o600]) else {
            throw SealedFileError.cannotWrite("cannot write a sealed file")
        }
        if rename(temporary, target) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SealedFileError.cannotWrite("cannot move a sealed file into place")
        }
    }

    /// The file's bytes; `SealedFileError.gone` when it has been erased.
    func load(id: UUID, context: String) throws -> Data {
        guard let sealed = FileManager.default.contents(atPath: path(id)) else { throw SealedFileError.gone }
        return try vault.open(sealed, context: context)
    }

    /// The file sealed again under the vault's current key, in place (same write-then-rename as `store`).
    /// False when it was already current or is gone.
    func reseal(id: UUID, context: String) throws -> Bool {
        guard let sealed = FileManager.default.contents(atPath: path(id)),
              let resealed = try vault.resealed(sealed, context: context) else { return false }
        try writeSealed(resealed, id: id)
        return true
    }

    /// The id of the key the file is sealed with; nil when it is gone.
    func keyID(id: UUID) -> String? {
        FileManager.default.contents(atPath: path(id)).flatMap(vault.keyID(of:))
    }

    func exists(id: UUID) -> Bool {
        FileManager.default.fileExists(atPath: path(id))
    }

    func remove(id: UUID) {
        try? FileManager.default.removeItem(atPath: path(id))
    }
}
