import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that accepts connections and never says anything: a database that stopped
/// answering. Counts the connections it accepted.
final class SilentServer: Sendable {
    private let channel: any Channel
    private let connections: NIOLockedValueBox<[any Channel]>

    var port: Int { channel.localAddress!.port! }
    var accepted: Int { connections.withLockedValue { $0.count } }

    private init(channel: any Channel, connections: NIOLockedValueBox<[any Channel]>) {
        self.channel = channel
        self.connections = connections
    }

    static func start() async throws -> SilentServer {
        let connections = NIOLockedValueBox<[any Channel]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                connections.withLockedValue { $0.append(child) }
                return child.eventLoop.makeSucceededVoidFuture()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(channel: channel, connections: connections)
    }

    /// Closes every connection (the client sees the database go away) and stops listening.
    func stop() async throws {
        for child in connections.withLockedValue({ $0 }) { try? await child.close() }
        try await channel.close()
    }
}
