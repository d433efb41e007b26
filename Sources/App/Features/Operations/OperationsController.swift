import Fluent
import Prometheus
import SQLKit
import Vapor

/// Health and metrics for operators and their monitoring.
struct OperationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.healthz, use: health)
        routes.get(.metrics, use: metrics)
    }

    @Sendable
    func health(req: Request) async throws -> Response {
        let healthy: Bool
        do {
            guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
            _ = try await sql.raw("SELECT 1 AS ok").first()
            healthy = true
        } catch {
            req.logger.error("health check: database does not answer", metadata: ["error": .string(String(describing: error))])
            healthy = false
        }
        let response = Response(status: healthy ? .ok : .serviceUnavailable)
        try response.content.encode(HealthDTO(status: healthy ? "ok" : "unavailable"))
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable
    func metrics(req: Request) async throws -> Response {
        let pending = try await OutboxMessage.query(on: req.db).filter(\.$status == .pending).count()
        let failed = try await OutboxMessage.query(on: req.db).filter(\.$status == .failed).count()
        let registry = req.application.metricsRegistry
        registry.makeGauge(descriptor: .init(metricName: "onecard_outbox_messages", unitName: "", helpText: "Outbox messages by status"),
                           labels: [("status", "pending")]).set(Double(pending))
        registry.makeGauge(descriptor: .init(metricName: "onecard_outbox_messages", unitName: "", helpText: "Outbox messages by status"),
                           labels: [("status", "failed")]).set(Double(failed))
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: registry.emitToString()))
    }
}
