import Vapor

/// `POST /api/v1/patron-authentication` for e-resource vendors (scope `patron-authentication`).
struct PatronAuthenticationAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(APIClientAuthenticator(scope: .patronAuthentication))
            .post(.apiPatronAuthentication, maximumBytes: .json, use: authenticate)
    }

    @Sendable
    func authenticate(req: Request) async throws -> PatronAuthenticationDTO {
        let client = try req.requireAPIClient()
        guard req.headers.contentType == .json else { throw RequestRefusal.jsonRequired }
        let body = try req.content.decode(PatronAuthenticationRequestDTO.self)
        let identifier = body.identifier.trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty, !body.password.isEmpty else { throw Abort(.badRequest) }
        return try await PatronAuthenticationService(database: req.db, vault: req.application.vault, credentials: req.credentialCheck,
                                                     now: req.now)
            .authenticate(identifier: identifier, password: body.password, client: client, ipAddress: req.clientAddress)
    }
}
