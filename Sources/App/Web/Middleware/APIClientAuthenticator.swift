import Fluent
import OneCardDomain
import Vapor

/// Bearer tokens of API clients (stored as SHA-256 only), and the scope the route needs: a valid token
/// without it is refused 403 (`APIScopeError`), as is one used from an address its client is not bound to
/// (`APIAddressError`), before the request's body is read. Clients are found through `APIClientCache`.
struct APIClientAuthenticator: AsyncMiddleware {
    let scope: APIScope

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let token = request.headers.bearerAuthorization?.token,
              let client = try await request.application.apiClientCache.client(tokenHash: OneTimeToken.hash(token), on: request.db)
        else {
            throw APIAuthError.missingOrInvalidToken
        }
        guard client.scopes.contains(scope) else { throw APIScopeError(required: scope) }
        // Checked after the token, so a caller without one learns nothing about any client's addresses.
        guard AddressRule.allows(client.allowedAddresses, address: request.clientAddress) else { throw APIAddressError() }
        request.storage[StorageKeys.APIClientKey.self] = client
        return try await next.respond(to: request)
    }
}
