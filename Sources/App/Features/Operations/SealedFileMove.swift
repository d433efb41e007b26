import Fluent
import Foundation
import PersonalDataVault

/// Moves sealed files from `uploads/` into the database (`onecard files move-to-database`), when a
/// deployment that began on disk starts keeping them in PostgreSQL. The files move as they are, still
/// sealed under the key and the record-named context they were stored with.
///
/// Resumable and idempotent: each file is inserted, read back and compared byte for byte, and only then
/// is its disk copy removed; a file already in the table with the same bytes (a run that stopped between
/// the two) just loses its disk copy. Nothing on disk is removed that the table does not hold.
struct SealedFileMove {
    let disk: DiskSealedFiles
    let database: DatabaseSealedFiles
    /// Only reads the key id of each file, to check a file is sealed and its key still in the ring.
    let vault: PersonalDataVault
    let clock: OneCardClock

    struct Counts: Codable, Equatable {
        /// Now in the table, disk copy removed (with `--dry-run`: would be).
        var moved = 0
        /// Already in the table with the same bytes; disk copy removed.
        var alreadyInDatabase = 0
        /// In the table with other bytes (e.g. re-sealed there since): left on disk for the operator.
        var differing = 0
        /// Not a sealed file, or sealed with a key no longer in the ring: left on disk.
        var unreadable = 0
    }

    func run(dryRun: Bool) async throws -> Counts {
        var counts = Counts()
        let present = try await database.ids()
        for id in disk.ids() {
            guard let sealed = try await disk.read(id) else { continue }
            if present.contains(id) {
                guard try await database.read(id) == sealed else { counts.differing += 1; continue }
                if !dryRun { try await disk.remove(id, on: nil) }
                counts.alreadyInDatabase += 1
                continue
            }
            guard let keyID = vault.keyID(of: sealed), vault.keyRing.keyIDs.contains(keyID) else {
                counts.unreadable += 1
                continue
            }
            if !dryRun {
                try await database.insert(sealed, id: id, keyID: keyID, on: nil)
                guard try await database.read(id) == sealed else {
                    throw SealedFileError.cannotWrite("sealed file \(id.uuidString.lowercased()) reads back different from the database")
                }
                try await disk.remove(id, on: nil)
            }
            counts.moved += 1
        }
        if !dryRun {
            try await AuditTrail.record("sealed_files.moved_to_database", by: .commandLine,
                                        details: ["moved": String(counts.moved), "alreadyInDatabase": String(counts.alreadyInDatabase),
                                                  "differing": String(counts.differing), "unreadable": String(counts.unreadable)],
                                        at: clock.now(), on: database.database)
        }
        return counts
    }
}
