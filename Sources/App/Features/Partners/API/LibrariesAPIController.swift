import Fluent
import Vapor

/// The consortium's public directory: libraries, their desks, and the one-card services they offer.
struct LibrariesAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.apiLibraries, use: index)
        routes.get(.apiLibrary(code: .key), use: show)
    }

    @Sendable
    func index(req: Request) async throws -> [LibraryDTO] {
        try await req.application.consortiumDirectory.libraries(on: req.db, now: req.now)
    }

    @Sendable
    func show(req: Request) async throws -> LibraryDTO {
        let code = try req.parameters.require("code").uppercased()
        guard let library = try await req.application.consortiumDirectory.libraries(on: req.db, now: req.now)
            .first(where: { $0.code == code })
        else { throw OneCardError.notFound }
        return library
    }
}
