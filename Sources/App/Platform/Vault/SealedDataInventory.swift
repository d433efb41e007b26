import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// Every place personal data is sealed with the vault, so that a key can be taken out of service:
/// `onecard keys rotate` (new writes use a new key) → `onecard keys reencrypt` (everything already stored
/// is sealed again under it) → `onecard keys retire ID` (refused while anything still uses that key).
///
/// Values kept in browser sessions (an unfinished 台北通 sign-in, a digital card applicant's ID number) are
/// not re-sealed: sessions end 8 hours after their last request, and one sealed under a retired key is
/// simply not opened, so that visitor starts the step again.
struct SealedDataInventory {
    let database: any Database
    let vault: PersonalDataVault
    /// The sealed files, under the same vault.
    let files: SealedFileStore

    /// Where sealed data lives, as `table.column` or `uploads/<kind>`, with a count for each.
    typealias Counts = [String: Int]

    private struct SealedColumn<M: Model> {
        let name: String
        let column: FieldKey
        let context: String
        let value: (M) -> String?
    }

    /// Seals every stored value and file that is not under the current key again under it.
    func reencrypt() async throws -> Counts {
        try await visit { _ in true }
    }

    /// How many stored values and files are sealed with `keyID`, by place (places with none left out).
    func count(sealedWith keyID: String) async throws -> Counts {
        try await visit(resealing: false) { $0 == keyID }
    }

    private func visit(resealing: Bool = true, _ selected: @escaping (String?) -> Bool) async throws -> Counts {
        var counts: Counts = [:]
        func add(_ place: String, _ n: Int) { if n > 0 { counts[place, default: 0] += n } }
        let id = CardApplicationService.idNumberContext
        for (place, n) in try await visit(Patron.self, resealing: resealing, selected, columns: [
            .init(name: "patrons.id_number_sealed", column: "id_number_sealed", context: id, value: { $0.idNumberSealed }),
            .init(name: "patrons.household_sealed", column: "household_sealed", context: CardApplicationService.householdContext,
                  value: { $0.householdSealed }),
            .init(name: "patrons.easy_card_sealed", column: "easy_card_sealed", context: CardActivationService.easyCardContext,
                  value: { $0.easyCardSealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(GroupBatchRow.self, resealing: resealing, selected, columns: [
            .init(name: "group_batch_rows.id_number_sealed", column: "id_number_sealed", context: id, value: { $0.idNumberSealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(PartnerEndpoint.self, resealing: resealing, selected, columns: [
            .init(name: "partner_endpoints.secret_sealed", column: "secret_sealed", context: PartnerEndpoints.secretContext,
                  value: { $0.secretSealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(EZproxyHost.self, resealing: resealing, selected, columns: [
            .init(name: "ezproxy_hosts.secret_sealed", column: "secret_sealed", context: EZproxyHosts.secretContext,
                  value: { $0.secretSealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(OIDCSigningKey.self, resealing: resealing, selected, columns: [
            .init(name: "oidc_signing_keys.private_key_sealed", column: "private_key_sealed", context: OIDCKeyRing.sealContext,
                  value: { $0.privateKeySealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(StaffMember.self, resealing: resealing, selected, columns: [
            .init(name: "staff_members.totp_secret_sealed", column: "totp_secret_sealed", context: StaffSecondFactor.sealContext,
                  value: { $0.totpSecretSealed }),
        ]) { add(place, n) }
        for (place, n) in try await visit(OutboxMessage.self, resealing: resealing, selected, columns: [
            .init(name: "outbox_messages.secrets_sealed", column: "secrets_sealed", context: OutboxSecrets.context,
                  value: { $0.secretsSealed }),
        ]) { add(place, n) }

        // The same for files on disk and in the database (`SealedFileStore`); place names are the kind of file.
        func visitFile(_ place: String, id: UUID, context: String) async throws {
            if resealing {
                // `reseal` reads the file once and leaves it alone when it is already under the current key.
                if try await files.reseal(id: id, context: context) { add(place, 1) }
            } else if let keyID = try await files.keyID(id: id), selected(keyID) {
                add(place, 1)
            }
        }
        for document in try await IdentityDocumentFile.query(on: database).filter(\.$erasedAt == nil).all() {
            try await visitFile("uploads/identity_documents", id: document.id!, context: IdentityDocumentStore.context(document.id!))
        }
        for document in try await GroupDocument.query(on: database).all() {
            try await visitFile("uploads/group_documents", id: document.id!, context: document.sealContext)
        }
        for upload in try await GroupRosterUpload.query(on: database).all() {
            try await visitFile("uploads/annotated_returns", id: upload.id!, context: upload.sealContext)
        }
        return counts
    }

    /// Rows in pages of 500; each changed value is written only if nobody changed it meanwhile.
    private func visit<M: Model>(_ type: M.Type, resealing: Bool, _ selected: (String?) -> Bool,
                                 columns: [SealedColumn<M>]) async throws -> Counts {
        var counts: Counts = [:]
        var offset = 0
        while true {
            let page = try await M.query(on: database).sort(\._$id).range(offset..<(offset + 500)).all()
            if page.isEmpty { break }
            offset += page.count
            for row in page {
                for column in columns {
                    guard let sealed = column.value(row), selected(vault.keyID(of: sealed)) else { continue }
                    guard resealing else { counts[column.name, default: 0] += 1; continue }
                    guard let resealed = try vault.resealed(sealed, context: column.context) else { continue }
                    try await M.query(on: database).filter(\._$id == row.id!)
                        .filter(column.column, .equal, sealed)
                        .set([column.column: .bind(resealed)])
                        .update()
                    counts[column.name, default: 0] += 1
                }
            }
        }
        return counts
    }
}
