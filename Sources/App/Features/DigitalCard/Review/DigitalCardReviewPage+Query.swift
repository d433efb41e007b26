import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension DigitalCardReviewPage {
    /// The database work of a reviewer's look at one application: every look at it, and at each of its
    /// documents, is audited.
    struct Query {
        let database: any Database
        let vault: PersonalDataVault
        let documents: IdentityDocumentStore
        let now: Date

        func application(_ id: UUID?) async throws -> DigitalCardApplication {
            guard let id, let application = try await DigitalCardApplication.query(on: database).filter(\.$id == id)
                .with(\.$patron).first()
            else { throw OneCardError.notFound }
            return application
        }

        /// The page as a reviewer opens it.
        func viewed(_ id: UUID?, by staff: StaffMember, ipAddress: String?) async throws -> DigitalCardReviewPage {
            let application = try await application(id)
            try await AuditTrail.record("digital_card.viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", application.patron.id!.uuidString), libraryID: staff.$library.id,
                                        at: now, on: database)
            return try await page(for: application)
        }

        /// One uploaded document that is neither erased nor of another application, and its bytes.
        func document(_ fileID: UUID?, of application: DigitalCardApplication, by staff: StaffMember,
                      ipAddress: String?) async throws -> (file: IdentityDocumentFile, bytes: Data) {
            guard let fileID,
                  let file = try await IdentityDocumentFile.query(on: database).filter(\.$id == fileID)
                    .filter(\.$application.$id == application.requireID()).filter(\.$erasedAt == nil).first()
            else { throw OneCardError.notFound }
            try await AuditTrail.record("identity_document.viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", application.patron.id!.uuidString), libraryID: staff.$library.id,
                                        details: ["document": file.slot], at: now, on: database)
            return (file, try await documents.read(fileID))
        }

        func page(for application: DigitalCardApplication, error: String? = nil, reason: String = "") async throws -> DigitalCardReviewPage {
            let patron = application.patron
            let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) } ?? "—"
            let files = try await IdentityDocumentFile.query(on: database).filter(\.$application.$id == application.requireID())
                .filter(\.$superseded == false).filter(\.$erasedAt == nil).all()
            let order = IdentityDocumentSlot.allCases.map(\.rawValue)
            let today = CalendarDay(date: now, timeZone: .taipei)
            return DigitalCardReviewPage(
                id: application.id!.uuidString, applicationNumber: patron.applicationNumber,
                statusKey: "staff.digital.status.\(application.status.rawValue)", canDecide: application.status == .submitted,
                name: patron.name, idNumber: idNumber, birthDate: patron.birthDate ?? "—",
                age: patron.birthDate.flatMap(CalendarDay.init(iso:))?.age(on: today) ?? 0,
                email: patron.email ?? "—", mobile: patron.mobile,
                documentSetKey: "digital.document_set.\(application.documentSet)",
                guardianName: application.guardianName, guardianRelation: application.guardianRelation,
                submittedAt: DisplayTime.minute(application.submittedAt), dueOn: application.dueOn,
                documents: files.sorted { (order.firstIndex(of: $0.slot) ?? 9) < (order.firstIndex(of: $1.slot) ?? 9) }.map {
                    .init(id: $0.id!.uuidString, labelKey: "digital.upload.\($0.slot)", isImage: $0.mediaType.hasPrefix("image/"),
                          mediaType: $0.mediaType, size: ByteCountFormatter.string(fromByteCount: Int64($0.byteCount), countStyle: .file),
                          removedMetadata: $0.removedMetadata, uploadedAt: DisplayTime.minute($0.uploadedAt),
                          path: SiteURL.staffDigitalCardFile(id: .value(application.id!), file: .value($0.id!)).path)
                },
                filesErased: application.filesErasedAt != nil, error: error, reason: reason,
                decisionPath: SiteURL.staffDigitalCard(id: .value(application.id!)).path)
        }
    }
}
