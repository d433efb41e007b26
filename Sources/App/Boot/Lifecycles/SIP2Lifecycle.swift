import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import OneCardDomain
import SIP2
import Vapor

/// Runs the SIP2 listener beside the web server when `ONECARD_SIP2_PORT` is set.
final class SIP2Lifecycle: LifecycleHandler, Sendable {
    let port: Int
    private let server = NIOLockedValueBox<SIP2Server?>(nil)

    init(port: Int) {
        self.port = port
    }

    func didBootAsync(_ application: Application) async throws {
        let logger = Logger(label: "onecard.sip2")
        let sip2 = SIP2Server(configuration: Self.configuration(for: application), backend: OneCardSIP2Backend(app: application),
                              eventLoopGroup: application.eventLoopGroup) { record in
            let level: Logger.Level = switch record.level {
            case .debug: .debug
            case .info: .info
            case .notice: .notice
            case .warning: .warning
            case .error: .error
            }
            logger.log(level: level, "\(record.message)", metadata: record.metadata.mapValues { .string($0) }.merging(["event": .string(record.event)]) { $1 })
        }
        try await sip2.start(host: "0.0.0.0", port: port)
        server.withLockedValue { $0 = sip2 }
    }

    /// The server's settings from the app: the libraries' time zone, zh-TW screen messages for expired and
    /// suspended cards, the app's clock.
    static func configuration(for application: Application) -> SIP2Server.Configuration {
        var configuration = SIP2Server.Configuration(timeZone: .taipei)
        configuration.expiredCardScreenMessage = application.localizer.text("sip2.card_expired", .zhTW)
        configuration.suspendedCardScreenMessage = application.localizer.text("sip2.card_suspended", .zhTW)
        configuration.clock = application.clock.now
        return configuration
    }

    func shutdownAsync(_ application: Application) async {
        let running = server.withLockedValue { current -> SIP2Server? in
            defer { current = nil }
            return current
        }
        await running?.stop()
    }
}
