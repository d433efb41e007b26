import Crypto
import Fluent
import Foundation
import Vapor

/// What a partner library's system is told about a reader who linked their card with it.
enum PartnerEventType: String, Codable, Sendable {
    /// The reader agreed to the partner's consent statement and the link is active.
    case linkCreated = "link.created"
    /// The reader withdrew the consent (停用); the partner should stop using the data.
    case linkWithdrawn = "link.withdrawn"
    /// Name, contact details or card status changed.
    case patronUpdated = "patron.updated"
    /// The reader's data was erased at their request; the partner should erase its copy.
    case patronErased = "patron.erased"
    /// A desk suspended the card (停權): the partner should refuse loans and holds until it is reinstated.
    case patronSuspended = "patron.suspended"
    /// A desk reinstated a suspended card (復權).
    case patronReinstated = "patron.reinstated"
}

/// Queues partner notifications in the caller's transaction, one outbox message per event and partner,
/// partitioned per reader and partner so they are delivered in the order they happened.
///
/// The queued message holds references only (no name, no contact details): the body is built at
/// delivery time from the reader's current data, and personal data goes out only while the reader's link
/// with that partner is active. A link made and withdrawn before the partner's endpoint came back
/// therefore reaches the partner as two events without the reader's data.
enum PartnerEvents {
    struct Queued: Codable, Sendable {
        let eventID: UUID
        let type: PartnerEventType
        let occurredAt: Date
        let partnerLibraryID: UUID
        let patronID: UUID
        let homeLibraryID: UUID
        /// Kept in the message because an erased reader has no card number left to look up.
        let cardNumber: String?
    }

    static func enqueue(_ type: PartnerEventType, patron: Patron, partnerLibraryID: UUID, now: Date, on database: any Database) async throws {
        let queued = Queued(eventID: UUID(), type: type, occurredAt: now, partnerLibraryID: partnerLibraryID,
                            patronID: try patron.requireID(), homeLibraryID: patron.$library.id, cardNumber: patron.cardNumber)
        let payload = String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self)
        try await OutboxMessage(kind: .partnerEvent, partitionKey: "partner:\(partnerLibraryID.uuidString):patron:\(queued.patronID.uuidString)",
                                payload: payload, now: now).create(on: database)
    }

    /// The partner libraries the reader has an active link with (city accounts have no partner system).
    static func linkedPartnerLibraries(of patron: Patron, on database: any Database) async throws -> [UUID] {
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == patron.requireID())
            .filter(\.$status == .active).with(\.$partnerService).all()
        return links.compactMap { $0.partnerService.kind == .partnerLibrary ? $0.partnerService.$partnerLibrary.id : nil }
    }

    /// Tells every partner the reader is linked with.
    static func enqueueForLinkedPartners(_ type: PartnerEventType, patron: Patron, now: Date, on database: any Database) async throws {
        for library in try await linkedPartnerLibraries(of: patron, on: database) {
            try await enqueue(type, patron: patron, partnerLibraryID: library, now: now, on: database)
        }
    }
}

/// The JSON a partner receives.
struct PartnerEventBody: Codable, Sendable {
    struct Card: Codable, Sendable {
        let cardNumber: String?
        let status: String
        /// `physical`, or `digital` (e-resources only).
        let kind: String
        let homeLibrary: String
        /// `good`, `expired` or `suspended` at delivery, for an active card; absent otherwise.
        let standing: String?
        /// 有效期限 (`YYYY-MM-DD`, the last valid day), when the card has one.
        let validUntil: String?
    }

    struct Person: Codable, Sendable {
        let name: String
        let birthDate: String?
        let email: String?
        let mobile: String?
    }

    /// Also sent as the `Idempotency-Key` header: the same event is delivered with the same id.
    let id: UUID
    let type: PartnerEventType
    let occurredAt: Date
    /// Increases with every event of the same reader and partner; a partner may ignore an event whose
    /// sequence is lower than one it already applied.
    let sequence: Int
    let partner: String
    let card: Card
    /// Only while the reader's link with this partner is active.
    let person: Person?
}

/// Delivers `partner_event` outbox messages as signed webhooks.
///
/// Each request is `POST` with a JSON body and the headers `OneCard-Event`, `Idempotency-Key` and
/// `OneCard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
/// A 2xx answer completes the delivery; anything else, or no answer within the timeout, is retried by the
/// outbox with backoff, and the reader's later events wait behind it.
struct PartnerWebhookDelivery: Sendable {
    let app: Application

    static let signatureHeader = "OneCard-Signature"
    static let eventHeader = "OneCard-Event"

    static func signature(body: Data, secret: String, timestamp: Int) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    var handler: OutboxWorker.Handler {
        { message in try await deliver(message) }
    }

    func deliver(_ message: OutboxMessage) async throws {
        let queued = try JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data(message.payload.utf8))
        let db = app.db
        guard let endpoint = try await PartnerEndpoint.query(on: db).filter(\.$library.$id == queued.partnerLibraryID).first(),
              endpoint.enabled
        else { throw PartnerDeliveryError.noEndpoint }
        let body = try JSONEncoder.partnerEvents.encode(try await self.body(for: queued, sequence: message.id ?? 0))
        let secret = try app.vault.open(endpoint.secretSealed, context: PartnerEndpoints.secretContext)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: Self.eventHeader, value: queued.type.rawValue)
        headers.add(name: "Idempotency-Key", value: queued.eventID.uuidString.lowercased())
        headers.add(name: Self.signatureHeader,
                    value: Self.signature(body: body, secret: secret, timestamp: Int(app.clock.now().timeIntervalSince1970)))
        let response: ClientResponse
        do {
            response = try await app.client.post(URI(string: endpoint.url), headers: headers) { request in
                request.body = ByteBuffer(data: body)
            }
        } catch {
            // The transport error alone: never the headers, which carry the signature.
            throw PartnerDeliveryError.unreachable(String(describing: type(of: error)))
        }
        guard (200..<300).contains(response.status.code) else {
            throw PartnerDeliveryError.refused(status: Int(response.status.code))
        }
    }

    private func body(for queued: PartnerEvents.Queued, sequence: Int) async throws -> PartnerEventBody {
        let db = app.db
        guard let partner = try await Library.find(queued.partnerLibraryID, on: db),
              let home = try await Library.find(queued.homeLibraryID, on: db)
        else { throw PartnerDeliveryError.noEndpoint }
        let patron = try await Patron.find(queued.patronID, on: db)
        let linked: Bool
        if let patron, queued.type != .patronErased, queued.type != .linkWithdrawn {
            linked = try await PartnerEvents.linkedPartnerLibraries(of: patron, on: db).contains(queued.partnerLibraryID)
        } else {
            linked = false
        }
        let card = PartnerEventBody.Card(
            cardNumber: patron?.cardNumber ?? queued.cardNumber,
            status: queued.type == .patronErased ? "erased" : (patron?.status.rawValue ?? "erased"),
            kind: patron?.cardKind.rawValue ?? "physical", homeLibrary: home.code,
            standing: queued.type == .patronErased ? nil : patron?.standing(at: app.clock.now())?.rawValue,
            validUntil: queued.type == .patronErased ? nil : patron?.cardValidUntil)
        let person = linked ? patron.map {
            PartnerEventBody.Person(name: $0.name, birthDate: $0.birthDate, email: $0.email, mobile: $0.mobile)
        } : nil
        return PartnerEventBody(id: queued.eventID, type: queued.type, occurredAt: queued.occurredAt, sequence: sequence,
                                partner: partner.code, card: card, person: person)
    }
}

enum PartnerDeliveryError: Error, CustomStringConvertible {
    case noEndpoint
    case unreachable(String)
    case refused(status: Int)

    var description: String {
        switch self {
        case .noEndpoint: "no enabled endpoint for this partner"
        case .unreachable(let reason): "endpoint unreachable (\(reason))"
        case .refused(let status): "endpoint answered HTTP \(status)"
        }
    }
}

/// Partner endpoints as administrators manage them.
enum PartnerEndpoints {
    static let secretContext = "partner_endpoint.secret"

    /// Sets (or replaces) a partner library's endpoint with a new secret, and returns the secret: the
    /// only time it is shown.
    static func configure(libraryCode: String, url: String, app: Application) async throws -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), parsed.host != nil,
              scheme == "https" || (scheme == "http" && app.environment != .production)
        else { throw CommandInputError(description: "--url must be an https:// address (http:// only outside production)") }
        let library = try await Library.require(code: libraryCode, on: app.db)
        let secret = OneTimeToken.make().token
        let sealed = try app.vault.seal(secret, context: secretContext)
        let now = app.clock.now()
        try await app.db.transaction { db in
            if let endpoint = try await PartnerEndpoint.query(on: db).filter(\.$library.$id == library.requireID()).first() {
                endpoint.url = url
                endpoint.secretSealed = sealed
                endpoint.enabled = true
                endpoint.updatedAt = now
                try await endpoint.save(on: db)
            } else {
                try await PartnerEndpoint(libraryID: try library.requireID(), url: url, secretSealed: sealed, now: now).create(on: db)
            }
            try await AuditTrail.record("partner_endpoint.configured", by: .system("cli"), subject: ("library", library.code),
                                        libraryID: library.id, details: ["url": url], at: now, on: db)
        }
        return secret
    }
}

extension JSONEncoder {
    static let partnerEvents: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}

extension JSONDecoder {
    static let partnerEvents: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
