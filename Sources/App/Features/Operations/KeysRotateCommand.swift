import PersonalDataVault
import Vapor

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
