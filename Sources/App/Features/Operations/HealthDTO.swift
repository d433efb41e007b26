import Fluent
import Prometheus
import SQLKit
import Vapor

struct HealthDTO: Content {
    let status: String
}
