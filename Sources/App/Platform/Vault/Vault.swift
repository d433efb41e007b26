import Foundation
import PersonalDataVault
import Vapor

extension Application {
    /// Encryption and blind indexes for personal data (see `PersonalDataVault`).
    public var vault: PersonalDataVault {
        get {
            guard let vault = storage[StorageKeys.VaultKey.self] else { fatalError("configure(_:) loads the vault") }
            return vault
        }
        set { storage[StorageKeys.VaultKey.self] = newValue }
    }

    /// From `ONECARD_MASTER_KEY` when set, otherwise the key file in the data directory (created on first start).
    static func loadKeyRing(_ settings: OneCardSettings) throws -> KeyRing {
        if let master = settings.masterKey {
            return try KeyRing.derived(fromMasterKey: master)
        }
        return try KeyFile(directory: settings.dataDirectory).loadOrCreate()
    }
}
