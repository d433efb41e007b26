import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import OneCardDomain
import SIP2
import Vapor

/// Runs the SIP2 listener beside the web server when `ONECARD_SIP2_PORT` is set. It is started by
/// `SIP2BesideHTTPServer` once the HTTP server is bound, not at boot: only then is the address that
/// `serve --hostname` asked for known. Stopped at shutdown.
final class SIP2Lifecycle: LifecycleHandler, Sendable {
    let port: Int
    private let server = NIOLockedValueBox<SIP2Server?>(nil)

    init(port: Int) {
        self.port = port
    }

    /// Starts the listener on `ONECARD_SIP2_HOST`, or else on the address the HTTP server bound.
    func start(_ application: Application, httpAddress: SocketAddress?) async throws {
        let logger = Logger(label: "onecard.sip2")
        let sip2 = SIP2Server(configuration: Self.configuration(for: application), backend: Self.backend(for: application),
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
        try await sip2.start(host: Self.host(setting: application.settings.sip2Host, httpAddress: httpAddress), port: port)
        server.withLockedValue { $0 = sip2 }
    }

    /// Where SIP2 listens: the explicit setting, else the IP address the HTTP server is bound to (so
    /// `serve --hostname 127.0.0.1` keeps SIP2 on loopback too), else loopback (HTTP on a Unix socket).
    static func host(setting: String?, httpAddress: SocketAddress?) -> String {
        setting ?? httpAddress?.ipAddress ?? "127.0.0.1"
    }

    /// The server's settings from the app: the libraries' time zone, zh-TW screen messages for expired and
    /// suspended cards, the app's clock, the per-address connection limit.
    static func configuration(for application: Application) -> SIP2Server.Configuration {
        var configuration = SIP2Server.Configuration(timeZone: .taipei)
        configuration.expiredCardScreenMessage = application.localizer.text("sip2.card_expired", .zhTW)
        configuration.suspendedCardScreenMessage = application.localizer.text("sip2.card_suspended", .zhTW)
        configuration.clock = application.clock.now
        configuration.maximumConnectionsPerAddress = application.settings.sip2MaximumConnectionsPerAddress
        return configuration
    }

    /// The backend with what it uses from the app: its databases, vault, password hasher, clock, the
    /// web sign-in's delay unit and decoy hash, the audit entries' group commit, and the SIP2 logger.
    static func backend(for application: Application) -> OneCardSIP2Backend {
        OneCardSIP2Backend(database: { application.db }, vault: application.vault, passwords: application.passwordHashing,
                           clock: application.clock, signInDelayUnit: application.settings.signInDelayUnit,
                           decoyPasswordHash: application.decoyPasswordHash, verifiedPasswords: SIP2PasswordCache(),
                           audit: application.auditBatchWriter, logger: application.logger)
    }

    func stop() async {
        let running = server.withLockedValue { current -> SIP2Server? in
            defer { current = nil }
            return current
        }
        await running?.stop()
    }

    func shutdownAsync(_ application: Application) async {
        await stop()
    }
}
