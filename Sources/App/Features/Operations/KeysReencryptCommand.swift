import PersonalDataVault
import Vapor

struct KeysReencryptCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Seals every stored ID number, secret and file again under the current key" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let counts = try await SealedDataInventory(database: app.db, vault: app.vault, files: app.sealedFiles).reencrypt()
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
