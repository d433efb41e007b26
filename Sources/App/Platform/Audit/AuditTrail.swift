import Fluent
import Foundation
import Vapor

/// Appends to the audit trail. Call it on the same database handle as the change it records, so a
/// rolled-back change leaves no entry and a committed one always has its entry.
enum AuditTrail {
    static func record(
        _ action: String,
        by actor: AuditActor,
        subject: (type: String, id: String)? = nil,
        libraryID: UUID? = nil,
        details: [String: String] = [:],
        at time: Date,
        on database: any Database
    ) async throws {
        let event = AuditEvent()
        event.occurredAt = time
        event.actorType = actor.type
        event.actorID = actor.id
        event.action = action
        event.subjectType = subject?.type
        event.subjectID = subject?.id
        event.libraryID = libraryID
        event.ipAddress = actor.ipAddress
        if !details.isEmpty {
            let data = try JSONEncoder.sorted.encode(details)
            event.details = String(decoding: data, as: UTF8.self)
        }
        try await event.create(on: database)
    }
}
