import Fluent
import Foundation
import PersonalDataVault

/// Where the `SealedFileStore` keeps sealed bytes: `DiskSealedFiles` (the embedded default) or
/// `DatabaseSealedFiles` (with PostgreSQL, so several instances share them). A backend only moves bytes
/// that are already sealed; sealing, opening and the record-named context stay with the store.
protocol SealedFileBackend: Sendable {
    /// Keeps a new file. `transaction` is the caller's, when it has one: in the database the file then
    /// commits or rolls back with the caller's rows; on disk it is written at once (the caller removes it
    /// again if its transaction fails). Either way a crash never leaves half a file.
    func insert(_ sealed: Data, id: UUID, keyID: String, on transaction: (any Database)?) async throws
    /// The sealed bytes; nil when there is no such file.
    func read(_ id: UUID) async throws -> Data?
    /// Puts `sealed` in place of a file that is still sealed with `previousKeyID`; false when the file is
    /// gone or was changed meanwhile.
    func replace(_ id: UUID, with sealed: Data, keyID: String, previousKeyID: String) async throws -> Bool
    /// The id of the key the file is sealed with, without opening it; nil when it is gone.
    func keyID(_ id: UUID, vault: PersonalDataVault) async throws -> String?
    func exists(_ id: UUID) async throws -> Bool
    /// Removes the file if it is there; inside the caller's transaction when given.
    func remove(_ id: UUID, on transaction: (any Database)?) async throws
}
