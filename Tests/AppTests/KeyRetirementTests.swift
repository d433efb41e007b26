import Fluent
import Foundation
import PersonalDataVault
import XCTVapor
@testable import App

/// rotate → reencrypt → retire: after it, nothing stored needs the old key.
final class KeyRetirementTests: XCTestCase {
    func testReencryptionMovesEveryValueAndFileToTheNewKeySoTheOldOneCanBeRetired() async throws {
        let directory = NSTemporaryDirectory() + "onecard-retire-\(UUID().uuidString)"
        try await withTestApp(adjust: { $0.dataDirectory = directory }) { app in
            let patron = try await activateCard(app, try await submitApplication(app), easyCard: "1234567890123456")
            let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: "http://127.0.0.1:9/hooks", allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
            let group = try await GroupFixtures.submitted(app)
            let documents = try await GroupDocument.query(on: app.db).filter(\.$application.$id == group.requireID()).all()
            XCTAssertFalse(documents.isEmpty)
            // An invitation still waiting in the outbox: its link is sealed under the old key.
            let invitation = try await staffAccounts(app).create(libraryCode: "TPML", role: "desk", email: "waiting@tpml.example", locale: .zhTW)
            let oldKey = app.vault.keyRing.currentKeyID

            // `onecard keys rotate`, and the restart that picks it up.
            let keyFile = KeyFile(directory: directory)
            try keyFile.rotate()
            app.vault = PersonalDataVault(keyRing: try keyFile.load())
            let inventory = SealedDataInventory(database: app.db, vault: app.vault, files: app.sealedFiles)
            let before = try await inventory.count(sealedWith: oldKey)
            XCTAssertEqual(before["patrons.id_number_sealed"], 1)
            XCTAssertEqual(before["patrons.easy_card_sealed"], 1)
            XCTAssertEqual(before["partner_endpoints.secret_sealed"], 1)
            XCTAssertEqual(before["outbox_messages.secrets_sealed"], 1)
            XCTAssertEqual(before["uploads/group_documents"], documents.count)
            XCTAssertThrowsError(try keyFile.retire(keyID: app.vault.keyRing.currentKeyID), "the current key stays")

            let resealed = try await inventory.reencrypt()
            XCTAssertEqual(resealed, before, "everything under the old key, and nothing else, was sealed again")
            let left = try await inventory.count(sealedWith: oldKey)
            XCTAssertEqual(left, [:])
            let again = try await inventory.reencrypt()
            XCTAssertEqual(again, [:], "a second pass has nothing to do")

            // The old key leaves the file; after a restart everything still opens.
            try keyFile.retire(keyID: oldKey)
            app.vault = PersonalDataVault(keyRing: try keyFile.load())
            XCTAssertEqual(app.vault.keyRing.keyIDs, [app.vault.keyRing.currentKeyID])
            let waiting = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$secretsSealed != nil).first())
            XCTAssertEqual(try sentMail(waiting, app).body.contains(invitation.absoluteString), true, "the waiting link opens under the new key")
            let desk = try await signedInStaff(app)
            let detail = try await desk.get("/staff/applications/\(patron.id!.uuidString)")
            XCTAssertTrue(detail.text.contains("A123456789"), "the ID number opens under the new key")
            XCTAssertTrue(detail.text.contains("••••3456"), "so does the EasyCard number")
            let found = try await desk.get("/staff/applications?q=A123456789")
            XCTAssertTrue(found.text.contains(patron.applicationNumber), "the blind index is untouched")
            let endpoint = try await XCTUnwrapAsync(await PartnerEndpoint.query(on: app.db).first())
            XCTAssertEqual(try app.vault.open(endpoint.secretSealed, context: PartnerEndpoints.secretContext), secret)
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let pdf = try await reviewer.get("/staff/group/documents/\(documents.first { $0.kind == .applicationForm }!.id!.uuidString)")
            XCTAssertEqual(pdf.status, .ok)
            let uploaded = try await GroupFiles.document("pdf")
            XCTAssertEqual(Data(buffer: pdf.body), uploaded)
        }
    }

    func testWithFilesInTheDatabaseReencryptionResealsTheRowsSoTheOldKeyCanBeRetired() async throws {
        let directory = NSTemporaryDirectory() + "onecard-retire-\(UUID().uuidString)"
        try await withTestApp(adjust: { $0.dataDirectory = directory; $0.fileStorage = .database }) { app in
            let group = try await GroupFixtures.submitted(app)
            let documents = try await GroupDocument.query(on: app.db).filter(\.$application.$id == group.requireID()).all()
            XCTAssertEqual(documents.count, 2)
            let oldKey = app.vault.keyRing.currentKeyID
            let keyFile = KeyFile(directory: directory)
            try keyFile.rotate()
            app.vault = PersonalDataVault(keyRing: try keyFile.load())
            let newKey = app.vault.keyRing.currentKeyID
            let inventory = SealedDataInventory(database: app.db, vault: app.vault, files: app.sealedFiles)
            let before = try await inventory.count(sealedWith: oldKey)
            XCTAssertEqual(before["uploads/group_documents"], 2, "rows are counted by their key")

            let resealed = try await inventory.reencrypt()
            XCTAssertEqual(resealed["uploads/group_documents"], 2)
            let rows = try await SealedFile.query(on: app.db).all()
            XCTAssertEqual(Set(rows.map { $0.id! }), Set(documents.map { $0.id! }))
            for row in rows {
                XCTAssertEqual(row.keyID, newKey)
                XCTAssertEqual(app.vault.keyID(of: row.sealed), newKey, "the bytes, not only the column, are under the new key")
                XCTAssertEqual(row.byteCount, row.sealed.count)
            }
            XCTAssertEqual(filesUnderUploads(app), [:])
            let left = try await inventory.count(sealedWith: oldKey)
            XCTAssertEqual(left, [:])
            let again = try await inventory.reencrypt()
            XCTAssertEqual(again, [:], "a second pass has nothing to do")

            try keyFile.retire(keyID: oldKey)
            app.vault = PersonalDataVault(keyRing: try keyFile.load())
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let pdf = try await reviewer.get("/staff/group/documents/\(documents.first { $0.kind == .applicationForm }!.id!.uuidString)")
            XCTAssertEqual(pdf.status, .ok)
            let uploaded = try await GroupFiles.document("pdf")
            XCTAssertEqual(Data(buffer: pdf.body), uploaded)
        }
    }
}
