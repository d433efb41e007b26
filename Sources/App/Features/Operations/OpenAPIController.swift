import Vapor

/// Serves the OpenAPI 3.1 description of `/api/v1`, kept beside the code in
/// `Resources/openapi.json`; a test fails when a route is missing from it or it names a route that is gone.
struct OpenAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.openAPI, use: document)
    }

    @Sendable
    func document(req: Request) async throws -> Response {
        guard let data = FileManager.default.contents(atPath: Resources.path("openapi.json")) else {
            throw Abort(.internalServerError, reason: "openapi.json is missing from the resources")
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
