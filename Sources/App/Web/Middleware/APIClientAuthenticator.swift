import Fluent
import OneCardDomain
import Vapor

/// Bearer tokens of API clients (stored as SHA-256 only).
struct APIClientAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token,
              let client = try await APIClient.query(on: request.db)
                .filter(\.$tokenHash == OneTimeToken.hash(token)).filter(\.$revokedAt == nil).first()
        else {
            throw APIAuthError.missingOrInvalidToken
        }
        request.storage[StorageKeys.APIClientKey.self] = client
        return try await next.respond(to: request)
    }
}
