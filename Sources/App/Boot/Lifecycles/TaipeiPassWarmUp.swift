import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

/// Fetches the provider's discovery document when `onecard serve` starts, so the first reader neither waits
/// for it nor meets a Content-Security-Policy that does not yet name the authorization endpoint's origin.
struct TaipeiPassWarmUp: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard let provider = application.taipeiPassProvider else { return }
        let client = application.client
        let logger = application.logger
        let now = application.clock.now()
        Task {
            do {
                _ = try await provider.metadata(client: client, now: now)
            } catch {
                logger.warning("Taipei Pass provider unusable", metadata: ["problem": .string(String(describing: error))])
            }
        }
    }
}
