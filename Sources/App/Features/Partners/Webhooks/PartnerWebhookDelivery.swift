import Crypto
import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import Vapor

/// Delivers `partner_event` outbox messages as signed webhooks.
///
/// Each request is `POST` with a JSON body and the headers `OneCard-Event`, `Idempotency-Key` and
/// `OneCard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`.
/// A 2xx answer completes the delivery; anything else, or no answer within the timeout, is retried by the
/// outbox with backoff, and the reader's later events wait behind it.
struct PartnerWebhookDelivery: Sendable {
    let database: any Database
    /// Opens the endpoint's secret.
    let vault: PersonalDataVault
    let clock: OneCardClock
    /// With a timeout and no redirects (see `configure`): a signed body goes only to the configured address.
    let client: any Client

    static let signatureHeader = "OneCard-Signature"
    static let eventHeader = "OneCard-Event"

    static func signature(body: Data, secret: String, timestamp: Int) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    func deliver(_ message: OutboxMessage) async throws {
        let queued = try JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data(message.payload.utf8))
        let endpoint = try await enabledEndpoint(of: queued.partnerLibraryID)
        let body = try JSONEncoder.partnerEvents.encode(try await self.body(for: queued, sequence: message.id ?? 0))
        try await post(body, event: queued.type.rawValue, idempotencyKey: queued.eventID, to: endpoint)
    }

    /// A test delivery (`PartnerPing`), signed and sent as the events are.
    func deliverPing(_ message: OutboxMessage) async throws {
        let queued = try JSONDecoder.partnerEvents.decode(PartnerPing.Queued.self, from: Data(message.payload.utf8))
        let endpoint = try await enabledEndpoint(of: queued.partnerLibraryID)
        guard let partner = try await Library.find(queued.partnerLibraryID, on: database) else { throw PartnerDeliveryError.noEndpoint }
        let body = try JSONEncoder.partnerEvents.encode(
            PartnerPing(id: queued.eventID, type: PartnerPing.eventType, occurredAt: queued.occurredAt, partner: partner.code))
        try await post(body, event: PartnerPing.eventType, idempotencyKey: queued.eventID, to: endpoint)
    }

    private func enabledEndpoint(of library: UUID) async throws -> PartnerEndpoint {
        guard let endpoint = try await PartnerEndpoint.query(on: database).filter(\.$library.$id == library).first(), endpoint.enabled
        else { throw PartnerDeliveryError.noEndpoint }
        return endpoint
    }

    private func post(_ body: Data, event: String, idempotencyKey: UUID, to endpoint: PartnerEndpoint) async throws {
        let secret = try vault.open(endpoint.secretSealed, context: PartnerEndpoints.secretContext)
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.add(name: Self.eventHeader, value: event)
        headers.add(name: "Idempotency-Key", value: idempotencyKey.uuidString.lowercased())
        headers.add(name: Self.signatureHeader,
                    value: Self.signature(body: body, secret: secret, timestamp: Int(clock.now().timeIntervalSince1970)))
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: endpoint.url), headers: headers) { request in
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
        let db = database
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
        let standing = queued.type == .patronErased ? nil : patron?.standing(at: clock.now())
        let card = PartnerEventBody.Card(
            cardNumber: patron?.cardNumber ?? queued.cardNumber,
            status: queued.type == .patronErased ? "erased" : (patron?.status.rawValue ?? "erased"),
            kind: patron?.cardKind.rawValue ?? "physical", homeLibrary: home.code,
            standing: standing?.rawValue,
            validUntil: queued.type == .patronErased ? nil : patron?.cardValidUntil,
            valid: standing == .good,
            mayBorrow: PartnerBorrowing.mayBorrow(standing: standing, isPhysicalCard: patron?.cardKind == .physical))
        let person = linked ? patron.map {
            PartnerEventBody.Person(name: $0.name, birthDate: $0.birthDate, email: $0.email, mobile: $0.mobile)
        } : nil
        return PartnerEventBody(id: queued.eventID, type: queued.type, occurredAt: queued.occurredAt, sequence: sequence,
                                partner: partner.code, card: card, person: person)
    }
}
