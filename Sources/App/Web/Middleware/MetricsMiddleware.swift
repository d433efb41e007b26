import Prometheus
import Vapor

/// Counts requests and their latency per route pattern (not per URL, so card numbers in paths
/// never become label values and the number of series stays bounded).
struct MetricsMiddleware: AsyncMiddleware {
    let registry: PrometheusCollectorRegistry

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let status: UInt
        do {
            let response = try await next.respond(to: request)
            status = response.status.code
            record(request, status: status, since: start)
            return response
        } catch {
            record(request, status: (error as? any AbortError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(_ request: Request, status: UInt, since start: ContinuousClock.Instant) {
        // Files from Public/ are answered before routing: one "static" series for them, "unmatched" for
        // everything else no route took (404s, probes).
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") }
            ?? (status < 400 && request.method == .GET ? "static" : "unmatched")
        let labels = [("method", request.method.rawValue), ("route", route), ("status", String(status))]
        registry.makeCounter(
            descriptor: .init(metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(metricName: "http_request_duration", unitName: "seconds", helpText: "Time to answer an HTTP request"),
            labels: labels,
            buckets: [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                      .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5)]
        ).record(ContinuousClock.now - start)
    }
}
