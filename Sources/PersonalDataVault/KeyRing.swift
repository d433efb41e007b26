import Crypto
import Foundation

/// The keys that protect personal data: AES-256 keys for field encryption, each with an id that travels
/// inside every ciphertext, and one HMAC key for blind indexes.
///
/// The blind-index key never rotates with the encryption keys: every stored index was computed with it,
/// so changing it would make every existing lookup miss.
public struct KeyRing: Sendable {
    public struct EncryptionKey: Sendable {
        public let id: String
        let key: SymmetricKey
    }

    /// Keys that decrypt, newest first; the first one encrypts.
    public let encryptionKeys: [EncryptionKey]
    let blindIndexKey: SymmetricKey

    public var currentKeyID: String { encryptionKeys[0].id }
    public var keyIDs: [String] { encryptionKeys.map(\.id) }

    init(encryptionKeys: [EncryptionKey], blindIndexKey: SymmetricKey) {
        precondition(!encryptionKeys.isEmpty, "a key ring needs at least one encryption key")
        self.encryptionKeys = encryptionKeys
        self.blindIndexKey = blindIndexKey
    }

    func key(id: String) -> SymmetricKey? {
        encryptionKeys.first { $0.id == id }?.key
    }

    /// Keys derived from `ONECARD_MASTER_KEY`: one or more base64 secrets of 32 bytes, comma-separated,
    /// newest first. The oldest secret anchors the blind index, so rotating means prepending a new secret
    /// and keeping the old ones.
    public static func derived(fromMasterKey text: String) throws -> KeyRing {
        let secrets = try text.split(separator: ",").map { part -> SymmetricKey in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let data = Data(base64Encoded: trimmed), data.count >= 32 else {
                throw KeyRingError.malformedMasterKey
            }
            return SymmetricKey(data: data)
        }
        guard let oldest = secrets.last else { throw KeyRingError.malformedMasterKey }
        let keys = secrets.map { secret in
            EncryptionKey(id: "m" + fingerprint(of: secret), key: derive(secret, purpose: "field-encryption"))
        }
        return KeyRing(encryptionKeys: keys, blindIndexKey: derive(oldest, purpose: "blind-index"))
    }

    private static func derive(_ secret: SymmetricKey, purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: secret,
            salt: Data("onecard".utf8),
            info: Data(purpose.utf8),
            outputByteCount: 32
        )
    }

    private static func fingerprint(of secret: SymmetricKey) -> String {
        let digest = secret.withUnsafeBytes { SHA256.hash(data: Data("onecard-key-id".utf8) + Data($0)) }
        return digest.prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}

public enum KeyRingError: Error, Equatable, CustomStringConvertible {
    case malformedMasterKey
    case malformedKeyFile(String)
    case unsafePermissions(String)
    case unknownKey(String)
    case currentKeyCannotBeRetired(String)

    public var description: String {
        switch self {
        case .malformedMasterKey:
            "ONECARD_MASTER_KEY must be one or more base64-encoded secrets of at least 32 bytes, separated by commas"
        case .malformedKeyFile(let path):
            "the key file at \(path) cannot be read as a OneCard key ring"
        case .unsafePermissions(let path):
            "the key file at \(path) is readable by other users; it must be owner-only (chmod 600)"
        case .unknownKey(let id):
            "there is no encryption key \(id) in the key file"
        case .currentKeyCannotBeRetired(let id):
            "\(id) is the key new data is sealed with; rotate first, then re-encrypt, then retire it"
        }
    }
}
