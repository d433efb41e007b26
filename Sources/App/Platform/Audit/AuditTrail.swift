import Fluent
import Foundation
import Vapor

/// Who is acting: a signed-in staff member, a reader, an API client, or the system itself.
public struct AuditActor: Sendable {
    public let type: String
    public let id: String?
    public let ipAddress: String?

    public static func staff(_ id: UUID, ipAddress: String?) -> AuditActor {
        .init(type: "staff", id: id.uuidString, ipAddress: ipAddress)
    }

    public static func system(_ name: String) -> AuditActor {
        .init(type: "system", id: name, ipAddress: nil)
    }

    /// An operator at the server's command line (`onecard …`).
    public static let commandLine = AuditActor(type: "cli", id: nil, ipAddress: nil)

    public static func anonymous(ipAddress: String?) -> AuditActor {
        .init(type: "anonymous", id: nil, ipAddress: ipAddress)
    }
}

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

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

extension Request {
    /// The client address as the server saw it (the peer, not a forgeable header).
    var clientAddress: String? { remoteAddress?.ipAddress }
}
