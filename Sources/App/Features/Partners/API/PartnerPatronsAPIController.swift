import Vapor

/// `GET /api/v1/partners/{code}/patrons/{cardNumber}` for a partner library's system: is this card
/// valid here? (`PartnerPatronLookup` decides what may be told.)
struct PartnerPatronsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator(scope: .partnerLookup)).get(.apiPartnerPatron(code: .key, cardNumber: .key), use: show)
    }

    @Sendable
    func show(req: Request) async throws -> PartnerPatronDTO {
        let client = try req.requireAPIClient()
        let code = try req.parameters.require("code")
        let cardNumber = try req.parameters.require("cardNumber")
        return try await PartnerPatronLookup(database: req.db, audit: req.application.auditBatchWriter, now: req.now)
            .lookUp(partnerCode: code, cardNumber: cardNumber, by: client, ipAddress: req.clientAddress)
    }
}
