import Fluent
import Foundation
import PersonalDataVault

/// The audited steps of taking a key out of service (see `SealedDataInventory`): sealing everything
/// again under the current key, and removing an old key from the key file once nothing uses it.
struct KeyMaintenance {
    let inventory: SealedDataInventory
    let database: any Database
    /// Read when each step is done: re-sealing a large store takes a while.
    let clock: OneCardClock

    /// Seals every stored value and file that is not under the current key again under it.
    func reencrypt() async throws -> SealedDataInventory.Counts {
        let counts = try await inventory.reencrypt()
        try await AuditTrail.record("keys.reencrypted", by: .commandLine, details: counts.mapValues(String.init),
                                    at: clock.now(), on: database)
        return counts
    }

    enum Retirement {
        case retired(KeyRing)
        /// Refused: what is still sealed with the key, by place.
        case stillInUse(SealedDataInventory.Counts)
    }

    /// Removes `keyID` from `keyFile`, unless anything stored is still sealed with it.
    func retire(_ keyID: String, from keyFile: KeyFile) async throws -> Retirement {
        let left = try await inventory.count(sealedWith: keyID)
        guard left.isEmpty else { return .stillInUse(left) }
        let ring = try keyFile.retire(keyID: keyID)
        try await AuditTrail.record("keys.retired", by: .commandLine, details: ["key": keyID], at: clock.now(), on: database)
        return .retired(ring)
    }
}
