import PersonalDataVault
import Vapor

struct KeysRetireCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "key", help: "The id of an old encryption key (see keys.json)")
        var key: String
    }

    var help: String { "Removes an old encryption key from the key file once nothing is sealed with it" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard app.settings.masterKey == nil else {
            throw CommandInputError(description: "keys come from ONECARD_MASTER_KEY: retire a secret by removing it from the variable (never the last one, which anchors the blind index)")
        }
        let inventory = SealedDataInventory(database: app.db, vault: app.vault, files: app.sealedFiles)
        let maintenance = KeyMaintenance(inventory: inventory, database: app.db, clock: app.clock)
        let ring: KeyRing
        switch try await maintenance.retire(signature.key, from: KeyFile(directory: app.settings.dataDirectory)) {
        case .retired(let retired):
            ring = retired
        case .stillInUse(let left):
            let places = left.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            throw CommandInputError(description: "still sealed with \(signature.key) (\(places)); run 'onecard keys reencrypt' first")
        }
        context.console.print("Retired \(signature.key); \(ring.keyIDs.count) key(s) left. Restart every instance to pick it up.")
    }
}
