import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The key ring kept in the data directory when no master key is configured: generated on first start,
/// owner-only, and extended (never rewritten from scratch) when a key is rotated.
public struct KeyFile: Sendable {
    public let path: String

    public init(directory: String) {
        self.path = (directory as NSString).appendingPathComponent("keys.json")
    }

    private struct Stored: Codable {
        struct Key: Codable {
            var id: String
            var key: String
            var createdAt: Date
        }
        var version = 1
        /// Newest first.
        var encryptionKeys: [Key]
        var blindIndexKey: String
    }

    /// Reads the key ring, creating it with fresh random keys when there is none yet.
    public func loadOrCreate(now: Date = Date()) throws -> KeyRing {
        if FileManager.default.fileExists(atPath: path) {
            return try load()
        }
        let stored = Stored(
            encryptionKeys: [Self.newKey(createdAt: now)],
            blindIndexKey: Self.randomBase64()
        )
        do {
            try write(stored, exclusive: true)
        } catch CocoaError.fileWriteFileExists {
            // Another process created it first; theirs is the one every process must share.
        }
        return try load()
    }

    public func load() throws -> KeyRing {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? NSNumber, mode.intValue & 0o077 != 0 {
            throw KeyRingError.unsafePermissions(path)
        }
        return try Self.keyRing(from: readStored())
    }

    /// Adds a new encryption key and makes it the one new writes use; old keys stay for decryption.
    @discardableResult
    public func rotate(now: Date = Date()) throws -> KeyRing {
        var stored = try readStored()
        stored.encryptionKeys.insert(Self.newKey(createdAt: now), at: 0)
        try write(stored, exclusive: false)
        return try Self.keyRing(from: stored)
    }

    /// Removes an old encryption key, once nothing is sealed with it any more (`onecard keys reencrypt`
    /// first). The current key cannot be retired, and the blind-index key is never touched.
    @discardableResult
    public func retire(keyID: String) throws -> KeyRing {
        var stored = try readStored()
        guard let index = stored.encryptionKeys.firstIndex(where: { $0.id == keyID }) else {
            throw KeyRingError.unknownKey(keyID)
        }
        guard index > 0 else { throw KeyRingError.currentKeyCannotBeRetired(keyID) }
        stored.encryptionKeys.remove(at: index)
        try write(stored, exclusive: false)
        return try Self.keyRing(from: stored)
    }

    private func readStored() throws -> Stored {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = FileManager.default.contents(atPath: path),
              let stored = try? decoder.decode(Stored.self, from: data),
              !stored.encryptionKeys.isEmpty
        else { throw KeyRingError.malformedKeyFile(path) }
        return stored
    }

    private static func keyRing(from stored: Stored) throws -> KeyRing {
        func key(_ base64: String) throws -> SymmetricKey {
            guard let data = Data(base64Encoded: base64), data.count == 32 else {
                throw KeyRingError.malformedKeyFile("keys.json")
            }
            return SymmetricKey(data: data)
        }
        return KeyRing(
            encryptionKeys: try stored.encryptionKeys.map { .init(id: $0.id, key: try key($0.key)) },
            blindIndexKey: try key(stored.blindIndexKey)
        )
    }

    /// Writes through a temporary owner-only file and renames it into place, so a reader never sees a
    /// half-written key file and the keys are never world-readable, not even for an instant.
    private func write(_ stored: Stored, exclusive: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(stored)
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
        )
        let temporary = path + ".\(UUID().uuidString).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard written == data.count else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown)
        }
        if exclusive {
            // link(2) fails when the target exists: first writer wins, nobody overwrites.
            defer { unlink(temporary) }
            guard link(temporary, path) == 0 else {
                throw errno == EEXIST ? CocoaError(.fileWriteFileExists) : CocoaError(.fileWriteUnknown)
            }
        } else {
            guard rename(temporary, path) == 0 else {
                unlink(temporary)
                throw CocoaError(.fileWriteUnknown)
            }
        }
    }

    private static func newKey(createdAt: Date) -> Stored.Key {
        let id = "k" + String(UInt64(createdAt.timeIntervalSince1970 * 1000), radix: 36)
            + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return .init(id: id, key: randomBase64(), createdAt: createdAt)
    }

    private static func randomBase64() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }
}
