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
