import Vapor

/// Health and metrics for operators and their monitoring.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.healthz, use: health)
        routes.get(.metrics, use: metrics)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let health = DatabaseHealth(database: req.db, logger: req.logger)
        let healthy = await req.application.databaseHealthFlight.isHealthy { await health.isHealthy() }
        let response = Response(status: healthy ? .ok : .serviceUnavailable)
        try response.content.encode(HealthDTO(status: healthy ? "ok" : "unavailable"))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        let registry = req.application.metricsRegistry
        try await OutboxGauges(registry: registry, database: req.db).update()
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: registry.emitToString()))
    }
}
