import Fluent
import Vapor

/// The consortium's public directory: libraries, their desks, and the one-card services they offer.
struct LibrariesAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.apiLibraries, use: index)
        routes.get(.apiLibrary(code: .key), use: show)
    }

    /// The directory's JSON is encoded once per kept directory, not for every visitor (issue #13 item 1).
    @Sendable
    func index(req: Request) async throws -> Response {
        let body = try await req.application.consortiumDirectory.encodedLibraries(on: req.db, now: req.now) { libraries in
            var buffer = ByteBuffer(), headers = HTTPHeaders()
            try ContentConfiguration.global.requireEncoder(for: .json).encode(libraries, to: &buffer, headers: &headers)
            return buffer
        }
        let response = Response(status: .ok, body: .init(buffer: body))
        response.headers.contentType = .json
        return response
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
