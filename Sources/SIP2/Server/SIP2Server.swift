import Foundation
import NIOCore
import NIOPosix

/// The SIP2 TCP listener: SwiftNIO accepts and frames, each connection's messages are answered in
/// order by a task of its own, so a slow backend call (password hashing, the database) holds up
/// only its own connection and never an event loop.
///
/// ```swift
/// let server = SIP2Server(configuration: .init(timeZone: libraryZone), backend: backend) { record in logger.info("\(record)") }
/// let port = try await server.start(host: "127.0.0.1", port: 6001)
/// …
/// await server.stop()
/// ```
public final class SIP2Server: Sendable {
    public struct Configuration: Sendable {
        /// A connection with no message received and no answer sent for this long, and no message being
        /// answered, is closed (this also clears half-open ones). A slow backend call never trips it.
        /// Empty messages (a lone CR or LF) and the bytes of an unfinished message do not count, so they
        /// cannot keep a connection open.
        public var idleTimeout: Duration = .seconds(300)
        /// A connection that is not logged in this long after it was accepted is closed, whatever it sends
        /// meanwhile; one whose login is being checked at that moment is closed after its 940. A logged-in
        /// connection that a failed 93 logs out again is closed then too, once the deadline is past.
        /// Self-check machines and vendors log in as soon as they connect; 30 s leaves room for a few
        /// throttled retries.
        public var loginTimeout: Duration = .seconds(30)
        /// A message longer than this (in bytes, without its line end) closes the connection.
        public var maximumMessageLength: Int = 4096
        /// Connections beyond this are closed as soon as they are accepted.
        public var maximumConnections: Int = 1000
        /// Connections from one client beyond this are closed as soon as they are accepted, so that one
        /// client cannot take all `maximumConnections`. A client is an IPv4 address, or the /64 network of
        /// an IPv6 address (one host commonly holds a whole /64; an IPv4-mapped address counts as IPv4).
        public var maximumConnectionsPerAddress: Int = 100
        /// So many unreadable, unsupported or bad-checksum messages in a row close the connection.
        public var maximumConsecutiveInvalidMessages: Int = 5
        /// Whether 99 SC Status is answered before login (with a 98 that names no institution).
        /// Off by default: as in Koha, a connection must log in (93) first, and anything else closes it.
        public var allowsStatusBeforeLogin: Bool = false
        public var loginThrottle: SIP2LoginThrottle.Policy = .init()
        /// How the 93 login is read, before an account (and its encoding) is known.
        public var loginEncoding: SIP2TextEncoding = .utf8
        /// The zone of the local date/times sent (blank ZZZZ): the library's, given by the app.
        public var timeZone: TimeZone
        /// 98 timeout period, in tenths of a second (3 digits).
        public var timeoutPeriod: Int = 100
        /// 98 retries allowed (3 digits).
        public var retriesAllowed: Int = 3
        /// AF screen message added for an expired card; nil adds none. The app should pass localized text.
        public var expiredCardScreenMessage: String? = "Card expired"
        /// AF screen message added for a suspended card; nil adds none.
        public var suspendedCardScreenMessage: String? = "Card suspended"
        /// The clock for date/time fields.
        public var clock: @Sendable () -> Date = { Date() }

        public init(timeZone: TimeZone) {
            self.timeZone = timeZone
        }
    }

    public enum Error: Swift.Error, Hashable {
        case alreadyRunning
    }

    public let configuration: Configuration
    private let backend: any SIP2Backend
    private let group: any EventLoopGroup
    private let throttle: SIP2LoginThrottle
    private let log: @Sendable (SIP2LogRecord) -> Void
    private let state = LockedState(State())

    private struct State {
        enum Phase {
            case idle
            case starting
            case running(server: NIOAsyncChannel<AcceptedConnection?, Never>, acceptLoop: Task<Void, Never>)
            case stopping
        }

        var phase = Phase.idle
        var connections: [Int: Connection] = [:]
        /// Open connections per client (`SIP2Server.client(of:)`).
        var connectionsPerClient: [String: Int] = [:]
        var nextConnectionID = 0
        /// Refusals are logged at most every 10 seconds, with the count since the last log line.
        var refusalsNotLogged = 0
        var lastRefusalLog: NIODeadline?

        var accepting: Bool {
            switch phase {
            case .starting, .running: return true
            case .idle, .stopping: return false
            }
        }

        mutating func add(_ connection: Connection) -> Int {
            let id = nextConnectionID
            nextConnectionID += 1
            connections[id] = connection
            if let client = connection.client { connectionsPerClient[client, default: 0] += 1 }
            return id
        }

        mutating func remove(_ id: Int) {
            guard let removed = connections.removeValue(forKey: id), let client = removed.client else { return }
            let remaining = (connectionsPerClient[client] ?? 1) - 1
            connectionsPerClient[client] = remaining > 0 ? remaining : nil
        }
    }

    private struct Connection {
        let channel: any Channel
        /// What the per-address limit counts; nil when the peer's address is unknown.
        let client: String?
        var task: Task<Void, Never>?
    }

    fileprivate struct AcceptedConnection: Sendable {
        let id: Int
        let remoteAddress: String?
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        let activity: SIP2ConnectionActivity
        let loginDeadline: NIODeadline
    }

    /// - Parameters:
    ///   - eventLoopGroup: defaults to SwiftNIO's shared singleton group (Vapor's default too).
    ///   - throttle: pass one to share failed-login counts between servers, or to control its clock.
    ///   - log: receives connection, login and abuse events; never passwords.
    public init(
        configuration: Configuration, backend: any SIP2Backend, eventLoopGroup: (any EventLoopGroup)? = nil,
        throttle: SIP2LoginThrottle? = nil, log: @escaping @Sendable (SIP2LogRecord) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.backend = backend
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.throttle = throttle ?? SIP2LoginThrottle(policy: configuration.loginThrottle)
        self.log = log
    }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Starts listening on `host` (an address of this machine; "0.0.0.0" or "::" for every interface)
    /// and returns the bound port (pass port 0 to let the system pick one).
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int) async throws -> Int {
        try state.withLock { state in
            guard case .idle = state.phase else { throw Error.alreadyRunning }
            state.phase = .starting
        }
        let server: NIOAsyncChannel<AcceptedConnection?, Never>
        do {
            server = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.so_keepalive), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: host, port: port) { [self] channel in
                    channel.eventLoop.makeCompletedFuture { try self.admit(channel) }
                }
        } catch {
            state.withLock { $0.phase = .idle }
            throw error
        }
        let acceptLoop = Task { await self.acceptConnections(server) }
        state.withLock { $0.phase = .running(server: server, acceptLoop: acceptLoop) }
        let boundPort = server.channel.localAddress?.port ?? port
        log(SIP2LogRecord(level: .info, event: "listening", message: "SIP2 listening on \(host):\(boundPort)"))
        return boundPort
    }

    /// Stops accepting, closes every connection and waits until their tasks (and any backend call in
    /// progress, which is cancelled) have finished. Does nothing when not running.
    public func stop() async {
        let running: (NIOAsyncChannel<AcceptedConnection?, Never>, Task<Void, Never>)? = state.withLock { state in
            guard case .running(let server, let acceptLoop) = state.phase else { return nil }
            state.phase = .stopping
            return (server, acceptLoop)
        }
        guard let (server, acceptLoop) = running else { return }
        try? await server.channel.close()
        await acceptLoop.value
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections {
            connection.channel.close(promise: nil)
            connection.task?.cancel()
        }
        for connection in connections { await connection.task?.value }
        state.withLock { state in
            state.connections.removeAll()
            state.connectionsPerClient.removeAll()
            state.phase = .idle
        }
        log(SIP2LogRecord(level: .info, event: "stopped", message: "SIP2 listener stopped"))
    }

    // MARK: Connections

    /// Runs on the child's event loop: enforces the connection limits and builds the pipeline.
    private func admit(_ channel: any Channel) throws -> AcceptedConnection? {
        let acceptedAt = NIODeadline.now()
        let remoteAddress = channel.remoteAddress?.ipAddress
        let client = channel.remoteAddress.flatMap(Self.client(of:))
        let addressMetadata = remoteAddress.map { ["address": $0] } ?? [:]
        enum Refusal { case total, perClient }
        let (id, refusal, refusalsToLog): (Int?, Refusal?, Int?) = state.withLock { state in
            var refusal: Refusal?
            if !state.accepting || state.connections.count >= configuration.maximumConnections {
                refusal = .total
            } else if let client, state.connectionsPerClient[client, default: 0] >= configuration.maximumConnectionsPerAddress {
                refusal = .perClient
            }
            guard let refusal else { return (state.add(Connection(channel: channel, client: client, task: nil)), nil, nil) }
            state.refusalsNotLogged += 1
            guard state.lastRefusalLog.map({ acceptedAt - $0 >= .seconds(10) }) ?? true else { return (nil, refusal, nil) }
            state.lastRefusalLog = acceptedAt
            defer { state.refusalsNotLogged = 0 }
            return (nil, refusal, state.refusalsNotLogged)
        }
        guard let id else {
            if let refusalsToLog {
                let reason = switch refusal {
                case .perClient: "\(configuration.maximumConnectionsPerAddress) connections open from this address"
                default: "\(configuration.maximumConnections) connections open"
                }
                log(SIP2LogRecord(
                    level: .warning, event: "connection_refused", message: "refused \(refusalsToLog) connection(s): \(reason)",
                    metadata: addressMetadata))
            }
            channel.close(promise: nil)
            return nil
        }
        do {
            let log = self.log
            let pipeline = channel.pipeline.syncOperations
            let activity = SIP2ConnectionActivity(acceptedAt: acceptedAt)
            let loginDeadline = acceptedAt + TimeAmount(configuration.loginTimeout)
            try pipeline.addHandler(ByteToMessageHandler(SIP2FrameDecoder(maximumLength: configuration.maximumMessageLength)))
            try pipeline.addHandler(SIP2TimeoutCloser(
                idleTimeout: TimeAmount(configuration.idleTimeout), loginDeadline: loginDeadline, activity: activity
            ) { reason in
                switch reason {
                case .idle:
                    log(SIP2LogRecord(level: .debug, event: "idle_timeout", message: "closing an idle connection", metadata: addressMetadata))
                case .notLoggedIn:
                    log(SIP2LogRecord(level: .notice, event: "login_timeout", message: "closing: not logged in in time", metadata: addressMetadata))
                }
            })
            let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            return AcceptedConnection(
                id: id, remoteAddress: remoteAddress, channel: asyncChannel, activity: activity, loginDeadline: loginDeadline)
        } catch {
            state.withLock { $0.remove(id) }
            channel.close(promise: nil)
            throw error
        }
    }

    /// The client a connection counts against for `maximumConnectionsPerAddress`: the IPv4 address, or
    /// the /64 network of an IPv6 one (an IPv4-mapped IPv6 address counts as its IPv4 address).
    static func client(of address: SocketAddress) -> String? {
        guard case .v6(let v6) = address else { return address.ipAddress }
        let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let network = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return network.joined(separator: ":") + "::/64"
    }

    private func acceptConnections(_ server: NIOAsyncChannel<AcceptedConnection?, Never>) async {
        do {
            try await server.executeThenClose { inbound in
                for try await accepted in inbound {
                    guard let accepted else { continue }
                    let task = Task { [self] in
                        await serve(accepted)
                        state.withLock { $0.remove(accepted.id) }
                    }
                    state.withLock { state in
                        if state.connections[accepted.id] != nil { state.connections[accepted.id]?.task = task }
                    }
                }
            }
        } catch {
            log(SIP2LogRecord(level: .error, event: "accept_failed", message: "the SIP2 listener failed: \(error)"))
        }
    }

    private func serve(_ connection: AcceptedConnection) async {
        var session = SIP2Session(
            configuration: configuration, backend: backend, throttle: throttle,
            remoteAddress: connection.remoteAddress, log: log)
        var metadata = ["connection": String(connection.id)]
        if let address = connection.remoteAddress { metadata["address"] = address }
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    let output = await session.handle(Array(frame.readableBytesView))
                    if let response = output.response { try await outbound.write(ByteBuffer(bytes: response)) }
                    connection.activity.isLoggedIn = session.account != nil
                    connection.activity.answered()
                    if output.close { return }
                    if session.account == nil, NIODeadline.now() >= connection.loginDeadline {
                        // The deadline passed while this message (a 93 that failed, or one that logged a
                        // connection out again) was being answered; the closer left it to us.
                        log(SIP2LogRecord(level: .notice, event: "login_timeout", message: "closing: not logged in in time", metadata: metadata))
                        return
                    }
                }
            }
        } catch let failure as SIP2FrameDecoder.Failure {
            log(SIP2LogRecord(level: .notice, event: "connection_closed", message: "closing: \(failure)", metadata: metadata))
        } catch {
            log(SIP2LogRecord(level: .debug, event: "connection_error", message: "connection ended: \(error)", metadata: metadata))
        }
    }
}
