import PersonalDataVault
import Vapor

struct KeysReencryptCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Seals every stored ID number, secret and file again under the current key" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let inventory = SealedDataInventory(database: app.db, vault: app.vault, files: app.sealedFiles)
        let counts = try await KeyMaintenance(inventory: inventory, database: app.db, clock: app.clock).reencrypt()
        struct Output: Encodable {
            let key: String
            let resealed: [String: Int]
        }
        let json = try JSONEncoder.sorted.encode(Output(key: app.vault.keyRing.currentKeyID, resealed: counts))
        context.console.output(String(decoding: json, as: UTF8.self).consoleText())
    }
}
