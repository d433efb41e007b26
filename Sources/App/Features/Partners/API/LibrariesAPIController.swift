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
        try await Library.consortiumQuery(on: req.db).all().map { $0.toDTO() }
    }

    @Sendable
    func show(req: Request) async throws -> LibraryDTO {
        let code = try req.parameters.require("code").uppercased()
        guard let library = try await Library.consortiumQuery(on: req.db).filter(\.$code == code).first() else {
            throw OneCardError.notFound
        }
        return library.toDTO()
    }
}
