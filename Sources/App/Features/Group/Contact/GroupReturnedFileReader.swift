import Fluent
import Foundation

/// Gives the organization's contact the annotated copy of a reader data file that was returned with
/// errors: decrypted, and the download put on the trail (the file holds the organization's people).
struct GroupReturnedFileReader {
    let database: any Database
    /// Decrypts the file (as large as the upload was) off the event loop.
    let sealedFiles: SealedFileStore
    let now: Date

    /// The annotated file of upload `id`, when it is `record`'s returned upload and has one;
    /// `OneCardError.notFound` otherwise.
    func open(_ id: UUID, for record: GroupApplicationRecord, ipAddress: String?) async throws -> Data {
        let upload = try await record.returnedUpload(id, on: database)
        guard upload.hasAnnotatedFile else { throw OneCardError.notFound }
        let bytes = try await sealedFiles.load(id: id, context: upload.sealContext)
        try await AuditTrail.record("group_roster.returned_downloaded", by: AuditActor(type: "group_contact", id: record.id?.uuidString,
                                                                                       ipAddress: ipAddress),
                                    subject: ("group_roster_upload", id.uuidString), libraryID: record.$library.id, at: now, on: database)
        return bytes
    }
}
