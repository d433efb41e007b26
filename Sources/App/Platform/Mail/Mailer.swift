import Foundation

/// Sends a message, or throws so the outbox tries again later.
public protocol Mailer: Sendable {
    func send(_ message: MailMessage) async throws
}
