import Fluent
import Prometheus

/// The outbox's backlog as gauges (`onecard_outbox_messages{status=...}`), counted when scraped.
struct OutboxGauges {
    let registry: PrometheusCollectorRegistry
    let database: any Database

    func update() async throws {
        let pending = try await OutboxMessage.query(on: database).filter(\.$status == .pending).count()
        let failed = try await OutboxMessage.query(on: database).filter(\.$status == .failed).count()
        registry.makeGauge(descriptor: .init(metricName: "onecard_outbox_messages", unitName: "", helpText: "Outbox messages by status"),
                           labels: [("status", "pending")]).set(Double(pending))
        registry.makeGauge(descriptor: .init(metricName: "onecard_outbox_messages", unitName: "", helpText: "Outbox messages by status"),
                           labels: [("status", "failed")]).set(Double(failed))
    }
}
