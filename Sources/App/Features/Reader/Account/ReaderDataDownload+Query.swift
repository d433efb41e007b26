import Fluent
import Foundation
import PersonalDataVault

extension ReaderDataDownload.Model {
    /// Everything OneCard holds about `patron`, opened from the vault; the download itself goes into
    /// the reader's access log (`patron.exported`), so the next download shows it.
    static func query(patron: Patron, vault: PersonalDataVault, now: Date, ipAddress: String?, on database: any Database) async throws -> Self {
        let id = try patron.requireID()
        let consents = try await ConsentRecord.query(on: database).filter(\.$patron.$id == id).with(\.$document).sort(\.$givenAt).all()
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == id).with(\.$partnerService).all()
        let events = try await AuditEvent.query(on: database).filter(\.$subjectType == "patron").filter(\.$subjectID == id.uuidString)
            .sort(\.$occurredAt).all()
        let taipeiPass = try await TaipeiPassIdentity.query(on: database).filter(\.$patron.$id == id).first()
        let export = Self(
            exportedAt: now,
            card: .init(cardNumber: patron.cardNumber, status: patron.status.rawValue, kind: patron.cardKind.rawValue,
                        type: patron.cardType, library: patron.library.code, applicationNumber: patron.applicationNumber,
                        appliedAt: patron.appliedAt, activatedAt: patron.activatedAt, validUntil: patron.cardValidUntil,
                        suspendedAt: patron.suspendedAt, suspensionReason: patron.suspensionReason),
            person: .init(name: patron.name, documentKind: patron.documentKind,
                          idNumber: try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) },
                          passportCountry: patron.passportCountry, gender: patron.gender, birthDate: patron.birthDate,
                          mobile: patron.mobile, homePhone: patron.homePhone, email: patron.email,
                          easyCard: try patron.easyCardSealed.map { try vault.open($0, context: CardActivationService.easyCardContext) }),
            consents: consents.map { .init(document: $0.document.code, title: $0.document.titleZH, version: $0.document.version,
                                           givenAt: $0.givenAt, channel: $0.channel, withdrawnAt: $0.withdrawnAt) },
            partnerLinks: links.map { .init(service: $0.partnerService.code, status: $0.status.rawValue, createdAt: $0.createdAt) },
            taipeiPass: taipeiPass.map { .init(issuer: $0.issuer, subject: $0.subject, linkedAt: $0.linkedAt, lastSignedInAt: $0.lastSignedInAt) },
            accessLog: events.map { .init(at: $0.occurredAt, action: $0.action, actorType: $0.actorType) })
        try await AuditTrail.record("patron.exported", by: AuditActor(type: "reader", id: id.uuidString, ipAddress: ipAddress),
                                    subject: ("patron", id.uuidString), libraryID: patron.$library.id, at: now, on: database)
        return export
    }
}
