import Foundation

/// One audit entry as `AuditBatchWriter` writes it: the same fields as `AuditTrail.record`'s arguments.
struct AuditEntry: Sendable {
    let action: String
    let actor: AuditActor
    var subject: (type: String, id: String)? = nil
    var libraryID: UUID? = nil
    var details: [String: String] = [:]
    let time: Date
}
