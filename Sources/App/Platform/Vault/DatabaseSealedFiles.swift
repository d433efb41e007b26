import Fluent
import Foundation
import PersonalDataVault
import SQLKit

/// Sealed files as rows of `sealed_files` (the default with PostgreSQL): every instance sees the same
/// files, and one backup of the database holds them with the records they belong to.
struct DatabaseSealedFiles: SealedFileBackend {
    let database: any Database
    /// Stamps each row's `created_at`.
    let clock: OneCardClock

    /// One INSERT: the row is there whole or not at all.
    func insert(_ sealed: Data, id: UUID, keyID: String, on transaction: (any Database)?) async throws {
        try await SealedFile(id: id, sealed: sealed, keyID: keyID, createdAt: clock.now()).create(on: transaction ?? database)
    }

    func read(_ id: UUID) async throws -> Data? {
        try await SealedFile.find(id, on: database)?.sealed
    }

    /// Conditional on the key, so two passes of key maintenance at once do not both count the same file.
    func replace(_ id: UUID, with sealed: Data, keyID: String, previousKeyID: String) async throws -> Bool {
        let rows = try await (database as! any SQLDatabase).raw("""
            UPDATE \(ident: SealedFile.schema) SET sealed = \(bind: sealed), key_id = \(bind: keyID), byte_count = \(bind: sealed.count)
            WHERE id = \(bind: id) AND key_id = \(bind: previousKeyID) RETURNING id
            """).all()
        return !rows.isEmpty
    }

    /// From its column: the (up to 10 MB) sealed bytes are not read.
    func keyID(_ id: UUID, vault: PersonalDataVault) async throws -> String? {
        try await (database as! any SQLDatabase).select().column("key_id").from(SealedFile.schema)
            .where("id", .equal, SQLBind(id)).first()?.decode(column: "key_id", as: String.self)
    }

    func exists(_ id: UUID) async throws -> Bool {
        try await SealedFile.query(on: database).filter(\.$id == id).count() > 0
    }

    func remove(_ id: UUID, on transaction: (any Database)?) async throws {
        try await SealedFile.query(on: transaction ?? database).filter(\.$id == id).delete()
    }

    /// Every row's id, for the move from disk to skip those already here.
    func ids() async throws -> Set<UUID> {
        Set(try await (database as! any SQLDatabase).select().column("id").from(SealedFile.schema).all()
            .map { try $0.decode(column: "id", as: UUID.self) })
    }
}
