import Fluent
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// Whether the database answers: the one thing `/healthz` checks. A database that does not answer within
/// `limit` is unhealthy too (a server that accepts connections and then says nothing), rather than holding
/// every probe until the connection pool gives up.
struct DatabaseHealth {
    static let limit = Duration.seconds(3)

    let database: any Database
    let logger: Logger

    func isHealthy() async -> Bool {
        await withCheckedContinuation { (answer: CheckedContinuation<Bool, Never>) in
            let pending = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(answer)
            let settle: @Sendable (Bool) -> Void = { healthy in
                pending.withLockedValue { answer in
                    answer?.resume(returning: healthy)
                    answer = nil
                }
            }
            let timer = Task { [logger] in
                try await Task.sleep(for: Self.limit)
                logger.error("health check: database does not answer within \(Self.limit)")
                settle(false)
            }
            Task {
                settle(await answers())
                timer.cancel()
            }
        }
    }

    private func answers() async -> Bool {
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
