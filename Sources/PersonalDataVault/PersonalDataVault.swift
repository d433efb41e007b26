import Crypto
import Foundation

/// Encrypts personal data field by field and computes blind indexes to find it again by exact value.
///
/// Every ciphertext names the key that made it (`ocv1:<key id>:<base64 nonce‖ciphertext‖tag>`), so keys
/// can rotate without re-encrypting everything at once. The context (for example `patron.idNumber`) is
/// authenticated with the data: a ciphertext copied into another column does not decrypt there.
public struct PersonalDataVault: Sendable {
    public let keyRing: KeyRing
    static let textPrefix = "ocv1"
    static let binaryMagic: [UInt8] = Array("OCV1".utf8)
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    public init(keyRing: KeyRing) {
        self.keyRing = keyRing
    }

    public func seal(_ plaintext: String, context: String) throws -> String {
        let key = keyRing.encryptionKeys[0]
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key.key, authenticating: Data(context.utf8))
        return "\(Self.textPrefix):\(key.id):\(box.combined!.base64EncodedString())"
    }

    public func open(_ envelope: String, context: String) throws -> String {
        let parts = envelope.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.textPrefix,
              let combined = Data(base64Encoded: String(parts[2]))
        else { throw VaultError.malformedEnvelope }
        let plaintext = try decrypt(combined, keyID: String(parts[1]), context: context)
        guard let text = String(data: plaintext, encoding: .utf8) else { throw VaultError.malformedEnvelope }
        return text
    }

    /// Binary form for files (ID images): `OCV1`, key-id length, key id, nonce‖ciphertext‖tag.
    public func seal(_ data: Data, context: String) throws -> Data {
        let key = keyRing.encryptionKeys[0]
        let box = try AES.GCM.seal(data, using: key.key, authenticating: Data(context.utf8))
        let id = Array(key.id.utf8)
        return Data(Self.binaryMagic) + Data([UInt8(id.count)]) + Data(id) + box.combined!
    }

    public func open(_ sealed: Data, context: String) throws -> Data {
        let bytes = [UInt8](sealed)
        let magic = Self.binaryMagic.count
        guard bytes.count > magic + 1, Array(bytes[0..<magic]) == Self.binaryMagic else {
            throw VaultError.malformedEnvelope
        }
        let idLength = Int(bytes[magic])
        let idEnd = magic + 1 + idLength
        guard bytes.count > idEnd, let id = String(bytes: bytes[(magic + 1)..<idEnd], encoding: .utf8) else {
            throw VaultError.malformedEnvelope
        }
        return try decrypt(Data(bytes[idEnd...]), keyID: id, context: context)
    }

    /// The id of the key a text envelope was sealed with, so a re-encryption pass can find old data.
    public func keyID(of envelope: String) -> String? {
        let parts = envelope.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.textPrefix else { return nil }
        return String(parts[1])
    }

    /// The id of the key a sealed file was sealed with.
    public func keyID(of sealed: Data) -> String? {
        let bytes = [UInt8](sealed.prefix(Self.binaryMagic.count + 1 + 255))
        let magic = Self.binaryMagic.count
        guard bytes.count > magic + 1, Array(bytes[0..<magic]) == Self.binaryMagic else { return nil }
        let idEnd = magic + 1 + Int(bytes[magic])
        guard bytes.count >= idEnd else { return nil }
        return String(bytes: bytes[(magic + 1)..<idEnd], encoding: .utf8)
    }

    /// The envelope sealed again under the current key, or nil when it already is.
    public func resealed(_ envelope: String, context: String) throws -> String? {
        guard keyID(of: envelope) != keyRing.currentKeyID else { return nil }
        return try seal(open(envelope, context: context), context: context)
    }

    /// The file sealed again under the current key, or nil when it already is.
    public func resealed(_ sealed: Data, context: String) throws -> Data? {
        guard keyID(of: sealed) != keyRing.currentKeyID else { return nil }
        return try seal(open(sealed, context: context), context: context)
    }

    /// A keyed hash of an already normalized value: equal values give equal indexes within one context,
    /// and without the key nobody can test a guessed ID number against the database.
    public func blindIndex(_ normalizedValue: String, context: String) -> String {
        var message = Data(context.utf8)
        message.append(0)
        message.append(contentsOf: normalizedValue.utf8)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: keyRing.blindIndexKey)
        // Hex by table: `String(format:)` costs more than the HMAC, and an upload indexes 100,000 rows.
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in code {
            hex.append(Self.hexDigits[Int(byte >> 4)])
            hex.append(Self.hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private func decrypt(_ combined: Data, keyID: String, context: String) throws -> Data {
        guard let key = keyRing.key(id: keyID) else { throw VaultError.unknownKey(keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            return try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
        } catch {
            throw VaultError.authenticationFailed
        }
    }
}

public enum VaultError: Error, Equatable {
    case malformedEnvelope
    case unknownKey(String)
    case authenticationFailed
}
