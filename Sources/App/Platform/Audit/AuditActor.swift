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
