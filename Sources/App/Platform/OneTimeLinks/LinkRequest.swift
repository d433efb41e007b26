import Fluent
import Foundation
import PersonalDataVault

/// A request for a one-time link by email (忘記密碼, the group contact's 寄送登入連結), queued exactly as
/// typed and answered by the outbox worker, which looks the person up and sends the email or nothing.
///
/// Issue #12 item 5: the request handlers used to look the account up and queue an email only when they
/// found one, so the answer took twice as long for a real card (40 vs 80 ms) or contact (12 vs 20 ms).
/// Now the request does the same work whoever is asked about (one counted address attempt, one outbox
/// row) and the lookup happens where the requester cannot time it. What was typed is personal (an ID
/// number, an email address), so it waits sealed in `secrets_sealed`, which the worker deletes once the
/// request is answered; the stored payload names only the kind of link.
struct LinkRequest: Codable, Equatable {
    enum Purpose: String, Codable, Sendable {
        case passwordReset = "password_reset"
        case groupContact = "group_contact"
    }

    var purpose: Purpose
    /// What the requester typed, already trimmed (and, for an email, normalized).
    var identifier: String
    /// The page's language, for a recipient without one of their own.
    var locale: String
    var ipAddress: String?

    /// Under this context only, so a sealed request cannot be passed off as any other sealed value.
    static let context = "outbox_messages.link_request"

    private struct Payload: Codable { var purpose: Purpose }

    /// Queues the request on `database`.
    func enqueue(vault: PersonalDataVault, now: Date, on database: any Database) async throws {
        let payload = String(decoding: try JSONEncoder.sorted.encode(Payload(purpose: purpose)), as: UTF8.self)
        let row = OutboxMessage(kind: .linkRequest, partitionKey: nil, payload: payload, now: now)
        row.secretsSealed = try vault.seal(String(decoding: try JSONEncoder.sorted.encode(self), as: UTF8.self), context: Self.context)
        try await row.create(on: database)
    }

    /// The request a queued row carries.
    static func open(_ row: OutboxMessage, with vault: PersonalDataVault) throws -> LinkRequest {
        guard let sealed = row.secretsSealed else { throw Problem.nothingSealed }
        return try JSONDecoder().decode(LinkRequest.self, from: Data(try vault.open(sealed, context: context).utf8))
    }

    enum Problem: Error, CustomStringConvertible {
        case nothingSealed
        var description: String { "a link request without its sealed request (already answered?)" }
    }
}
