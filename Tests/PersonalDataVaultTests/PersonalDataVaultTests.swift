import Foundation
import Testing
@testable import PersonalDataVault

@Suite("Personal-data vault")
struct PersonalDataVaultTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "vault-\(UUID().uuidString)"
    }

    @Test func sealedTextOpensAndHidesThePlaintext() throws {
        let vault = PersonalDataVault(keyRing: try KeyFile(directory: directory).loadOrCreate())
        let sealed = try vault.seal("A123456789", context: "patron.idNumber")
        #expect(!sealed.contains("A123456789"))
        #expect(sealed.hasPrefix("ocv1:\(vault.keyRing.currentKeyID):"))
        #expect(try vault.open(sealed, context: "patron.idNumber") == "A123456789")
        // The same value sealed twice differs: a fresh nonce each time, nothing to compare rows by.
        #expect(try vault.seal("A123456789", context: "patron.idNumber") != sealed)
    }

    @Test func ciphertextMovedToAnotherFieldDoesNotOpen() throws {
        let vault = PersonalDataVault(keyRing: try KeyFile(directory: directory).loadOrCreate())
        let sealed = try vault.seal("0912345678", context: "patron.mobile")
        #expect(throws: VaultError.authenticationFailed) { try vault.open(sealed, context: "patron.idNumber") }
    }

    @Test func tamperedCiphertextIsRejected() throws {
        let vault = PersonalDataVault(keyRing: try KeyFile(directory: directory).loadOrCreate())
        let sealed = try vault.seal("王小明", context: "patron.name")
        var bytes = Data(base64Encoded: String(sealed.split(separator: ":")[2]))!
        bytes[bytes.count - 1] ^= 0x01
        let tampered = "ocv1:\(vault.keyRing.currentKeyID):\(bytes.base64EncodedString())"
        #expect(throws: VaultError.authenticationFailed) { try vault.open(tampered, context: "patron.name") }
        #expect(throws: VaultError.malformedEnvelope) { try vault.open("A123456789", context: "patron.name") }
    }

    @Test func binaryFilesRoundTrip() throws {
        let vault = PersonalDataVault(keyRing: try KeyFile(directory: directory).loadOrCreate())
        let image = Data((0..<5000).map { UInt8($0 % 251) })
        let sealed = try vault.seal(image, context: "upload.idFront")
        #expect(sealed.range(of: image.prefix(64)) == nil)
        #expect(try vault.open(sealed, context: "upload.idFront") == image)
    }

    @Test func blindIndexIsStableKeyedAndSeparatedByContext() throws {
        let file = KeyFile(directory: directory)
        let vault = PersonalDataVault(keyRing: try file.loadOrCreate())
        let index = vault.blindIndex("A123456789", context: "idNumber")
        #expect(index.count == 64)
        #expect(index == vault.blindIndex("A123456789", context: "idNumber"))
        #expect(index != vault.blindIndex("A123456788", context: "idNumber"))
        #expect(index != vault.blindIndex("A123456789", context: "easyCard"))
        let otherInstallation = PersonalDataVault(
            keyRing: try KeyFile(directory: directory + "-other").loadOrCreate()
        )
        #expect(otherInstallation.blindIndex("A123456789", context: "idNumber") != index)
    }

    @Test func keyFileIsOwnerOnlyAndReusedOnNextStart() throws {
        let file = KeyFile(directory: directory)
        let first = try file.loadOrCreate()
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as! NSNumber
        #expect(mode.intValue & 0o777 == 0o600)
        let second = try file.loadOrCreate()
        #expect(second.keyIDs == first.keyIDs)
        let sealed = try PersonalDataVault(keyRing: first).seal("x", context: "c")
        #expect(try PersonalDataVault(keyRing: second).open(sealed, context: "c") == "x")
    }

    @Test func keyFileReadableByOthersIsRefused() throws {
        let file = KeyFile(directory: directory)
        _ = try file.loadOrCreate()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: KeyRingError.unsafePermissions(file.path)) { try file.load() }
    }

    @Test func rotationEncryptsWithTheNewKeyAndStillOpensOldData() throws {
        let file = KeyFile(directory: directory)
        let before = PersonalDataVault(keyRing: try file.loadOrCreate())
        let old = try before.seal("A123456789", context: "patron.idNumber")
        let after = PersonalDataVault(keyRing: try file.rotate())
        #expect(after.keyRing.currentKeyID != before.keyRing.currentKeyID)
        #expect(after.keyRing.keyIDs.count == 2)
        let new = try after.seal("A123456789", context: "patron.idNumber")
        #expect(after.keyID(of: new) == after.keyRing.currentKeyID)
        #expect(after.keyID(of: old) == before.keyRing.currentKeyID)
        #expect(try after.open(old, context: "patron.idNumber") == "A123456789")
        #expect(after.blindIndex("A123456789", context: "id") == before.blindIndex("A123456789", context: "id"))
        // A process still on the old ring cannot read what the new key wrote, and says which key it lacks.
        #expect(throws: VaultError.unknownKey(after.keyRing.currentKeyID)) {
            try before.open(new, context: "patron.idNumber")
        }
    }

    @Test func resealingMovesOldDataToTheCurrentKeyThenTheOldKeyCanBeRetired() throws {
        let file = KeyFile(directory: directory)
        let before = PersonalDataVault(keyRing: try file.loadOrCreate())
        let oldText = try before.seal("A123456789", context: "patron.idNumber")
        let oldFile = try before.seal(Data("JPEG bytes".utf8), context: "identity_document:1")
        #expect(before.keyID(of: oldFile) == before.keyRing.currentKeyID)
        #expect(try before.resealed(oldText, context: "patron.idNumber") == nil, "already under the current key")

        let after = PersonalDataVault(keyRing: try file.rotate())
        let newText = try #require(try after.resealed(oldText, context: "patron.idNumber"))
        let newFile = try #require(try after.resealed(oldFile, context: "identity_document:1"))
        #expect(after.keyID(of: newText) == after.keyRing.currentKeyID)
        #expect(after.keyID(of: newFile) == after.keyRing.currentKeyID)
        #expect(try after.resealed(newText, context: "patron.idNumber") == nil)
        // The context still binds: resealing under the wrong one fails rather than moving the data.
        #expect(throws: (any Error).self) { try after.resealed(oldText, context: "patron.household") }

        #expect(throws: KeyRingError.currentKeyCannotBeRetired(after.keyRing.currentKeyID)) {
            try file.retire(keyID: after.keyRing.currentKeyID)
        }
        #expect(throws: KeyRingError.unknownKey("k-none")) { try file.retire(keyID: "k-none") }
        let retired = PersonalDataVault(keyRing: try file.retire(keyID: before.keyRing.currentKeyID))
        #expect(retired.keyRing.keyIDs == [after.keyRing.currentKeyID])
        #expect(try retired.open(newText, context: "patron.idNumber") == "A123456789")
        #expect(try retired.open(newFile, context: "identity_document:1") == Data("JPEG bytes".utf8))
        #expect(throws: VaultError.unknownKey(before.keyRing.currentKeyID)) { try retired.open(oldText, context: "patron.idNumber") }
        #expect(retired.blindIndex("A123456789", context: "id") == before.blindIndex("A123456789", context: "id"))
        #expect(try PersonalDataVault(keyRing: file.load()).keyRing.keyIDs == retired.keyRing.keyIDs, "written to the file")
    }

    @Test func masterKeyDerivesTheSameRingEverywhereAndRotatesByPrepending() throws {
        let oldSecret = Data(repeating: 7, count: 32).base64EncodedString()
        let newSecret = Data(repeating: 9, count: 32).base64EncodedString()
        let instanceA = PersonalDataVault(keyRing: try .derived(fromMasterKey: oldSecret))
        let instanceB = PersonalDataVault(keyRing: try .derived(fromMasterKey: oldSecret))
        let sealed = try instanceA.seal("F234567898", context: "patron.idNumber")
        #expect(try instanceB.open(sealed, context: "patron.idNumber") == "F234567898")

        let rotated = PersonalDataVault(keyRing: try .derived(fromMasterKey: "\(newSecret), \(oldSecret)"))
        #expect(rotated.keyRing.currentKeyID != instanceA.keyRing.currentKeyID)
        #expect(try rotated.open(sealed, context: "patron.idNumber") == "F234567898")
        #expect(rotated.blindIndex("F234567898", context: "id") == instanceA.blindIndex("F234567898", context: "id"))
    }

    @Test func malformedMasterKeyIsRefused() {
        #expect(throws: KeyRingError.malformedMasterKey) { try KeyRing.derived(fromMasterKey: "short") }
        #expect(throws: KeyRingError.malformedMasterKey) { try KeyRing.derived(fromMasterKey: "") }
    }
}
