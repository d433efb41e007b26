import Fluent
import OneCardDomain
import Vapor

/// `GET /api/v1/partners/{code}/patrons/{cardNumber}` for a partner library's system: is this card
/// valid here? Answers only for patrons who belong to or linked that partner; every other case is
/// the same 404, so the answer never tells whether a card exists elsewhere.
struct PartnerPatronsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator()).get(.apiPartnerPatron(code: .key, cardNumber: .key), use: show)
    }

    @Sendable
    func show(req: Request) async throws -> PartnerPatronDTO {
        let client = try req.requireAPIClient()
        let partner = try await client.$library.get(on: req.db)
        guard partner.code == (try req.parameters.require("code")).uppercased(),
              case .success(let card) = CardNumber.parse(try req.parameters.require("cardNumber")),
              let patron = try await Patron.query(on: req.db).filter(\.$cardNumber == card.value).with(\.$library).first(),
              try await PatronVisibility.isVisible(patron, toLibrary: partner.requireID(), on: req.db)
        else { throw OneCardError.notFound }
        try await AuditTrail.record("patron.partner_lookup", by: AuditActor(type: "api_client", id: client.id?.uuidString, ipAddress: req.clientAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: partner.id, at: req.now, on: req.db)
        let standing = patron.standing(at: req.now)
        let valid = standing == .good
        return PartnerPatronDTO(
            cardNumber: card.value, status: patron.status.rawValue, valid: valid,
            cardKind: patron.cardKind.rawValue, mayBorrow: valid && patron.cardKind == .physical,
            homeLibrary: patron.library.code, standing: standing?.rawValue, validUntil: patron.cardValidUntil)
    }
}
