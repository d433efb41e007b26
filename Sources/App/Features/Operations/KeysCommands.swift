import PersonalDataVault
import Vapor

/// `onecard keys rotate`: new writes use a new key; old data still decrypts with the old ones.
/// `onecard keys reencrypt`: everything stored is sealed again under the current key.
/// `onecard keys retire ID`: an old key leaves the key file, once nothing uses it.
struct KeysCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["rotate": KeysRotateCommand(), "reencrypt": KeysReencryptCommand(), "retire": KeysRetireCommand()]
    }
    var help: String { "Manages the keys that encrypt personal data" }
}

struct KeysRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Adds a new field-encryption key and makes it current" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let settings = context.application.settings
        guard settings.masterKey == nil else {
            throw CommandInputError(description: "keys come from ONECARD_MASTER_KEY: rotate by putting a new secret in front of it, comma-separated, and keeping the old ones")
        }
        let ring = try KeyFile(directory: settings.dataDirectory).rotate()
        context.console.print("New writes now use key \(ring.currentKeyID); \(ring.keyIDs.count - 1) older key(s) kept for reading. Restart every instance to pick it up.")
    }
}

struct KeysReencryptCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Seals every stored ID number, secret and file again under the current key" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let counts = try await SealedDataInventory(app: app).reencrypt()
        try await AuditTrail.record("keys.reencrypted", by: .commandLine, details: counts.mapValues(String.init),
                                    at: app.clock.now(), on: app.db)
        struct Output: Encodable {
            let key: String
            let resealed: [String: Int]
        }
        let json = try JSONEncoder.sorted.encode(Output(key: app.vault.keyRing.currentKeyID, resealed: counts))
        context.console.output(String(decoding: json, as: UTF8.self).consoleText())
    }
}

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
        let left = try await SealedDataInventory(app: app).count(sealedWith: signature.key)
        guard left.isEmpty else {
            let places = left.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            throw CommandInputError(description: "still sealed with \(signature.key) (\(places)); run 'onecard keys reencrypt' first")
        }
        let ring = try KeyFile(directory: app.settings.dataDirectory).retire(keyID: signature.key)
        try await AuditTrail.record("keys.retired", by: .commandLine, details: ["key": signature.key], at: app.clock.now(), on: app.db)
        context.console.print("Retired \(signature.key); \(ring.keyIDs.count) key(s) left. Restart every instance to pick it up.")
    }
}
