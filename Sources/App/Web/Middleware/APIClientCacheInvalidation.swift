import Fluent

/// Empties `APIClientCache` whenever this process saves or deletes an API client, before and after the
/// write, so a disabled client or a replaced token is refused from the next request on.
struct APIClientCacheInvalidation: AsyncModelMiddleware {
    let cache: APIClientCache

    func create(model: APIClient, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await around { try await next.create(model, on: db) }
    }

    func update(model: APIClient, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await around { try await next.update(model, on: db) }
    }

    func delete(model: APIClient, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await around { try await next.delete(model, force: force, on: db) }
    }

    private func around(_ write: () async throws -> Void) async throws {
        cache.invalidate()
        defer { cache.invalidate() }
        try await write()
    }
}
