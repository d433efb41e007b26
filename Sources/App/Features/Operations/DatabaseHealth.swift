import Fluent
import Logging
import SQLKit

/// Whether the database answers: the one thing `/healthz` checks.
struct DatabaseHealth {
    let database: any Database
    let logger: Logger

    func isHealthy() async -> Bool {
        do {
            guard let sql = database as? any SQLDatabase else { throw NotSQL() }
            _ = try await sql.raw("SELECT 1 AS ok").first()
            return true
        } catch {
            logger.error("health check: database does not answer", metadata: ["error": .string(String(describing: error))])
            return false
        }
    }

    private struct NotSQL: Error {}
}
