import Fluent
import Foundation
import Vapor

/// Opens an application's file for a reviewer of the library applied to: decrypted, and the look put on
/// the trail (the files hold personal data of the organization's people).
struct GroupDocumentReader {
    let database: any Database
    /// Decrypts off the event loop.
    let sealedFiles: SealedFileStore
    let now: Date

    /// The document `id` with its bytes, when it belongs to `staff`'s library; `OneCardError.notFound` otherwise.
    func open(_ id: UUID, by staff: StaffMember, ipAddress: String?) async throws -> (GroupDocument, Data) {
        guard let document = try await GroupDocument.query(on: database).filter(\.$id == id).with(\.$application).first(),
              document.application.$library.id == staff.$library.id
        else { throw OneCardError.notFound }
        let bytes = try await sealedFiles.load(id: id, context: document.sealContext)
        try await AuditTrail.record("group_document.viewed", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                    subject: ("group_document", id.uuidString), libraryID: staff.$library.id,
                                    details: ["kind": document.kind.rawValue, "application": document.application.reference],
                                    at: now, on: database)
        return (document, bytes)
    }
}
