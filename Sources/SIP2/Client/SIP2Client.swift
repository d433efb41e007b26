import NIOCore
import NIOPosix

/// A minimal SC-side SIP2 client: one TCP connection, one request at a time. The tests and the
/// benchmark use it; the app can use it to check its own listener.
public actor SIP2Client {
    public enum Error: Swift.Error, Hashable {
        /// The server closed the connection before answering.
        case connectionClosed
        /// The response's checksum does not match.
        case responseChecksumMismatch
    }

    public let encoding: SIP2TextEncoding
    /// Whether requests carry `AY<n>AZ<checksum>`.
    public var errorDetection: Bool
    private let channel: any Channel
    private let frames: FrameMailbox
    private var nextSequenceNumber = 0

    private init(channel: any Channel, frames: FrameMailbox, encoding: SIP2TextEncoding, errorDetection: Bool) {
        self.channel = channel
        self.frames = frames
        self.encoding = encoding
        self.errorDetection = errorDetection
    }

    /// - Parameter localAddress: the address of this machine to connect from (e.g. 127.0.0.2, to be
    ///   another client of a loopback server); nil lets the system choose.
    public static func connect(
        host: String, port: Int, encoding: SIP2TextEncoding = .utf8, errorDetection: Bool = false,
        localAddress: String? = nil, eventLoopGroup: (any EventLoopGroup)? = nil
    ) async throws -> SIP2Client {
        let frames = FrameMailbox()
        var bootstrap = ClientBootstrap(group: eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton)
        if let localAddress { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: localAddress, port: 0)) }
        let channel = try await bootstrap
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(SIP2FrameDecoder(maximumLength: 1 << 20, rejectsTLS: false)))
                    try channel.pipeline.syncOperations.addHandler(FrameForwarder(frames))
                }
            }
            .connect(host: host, port: port)
            .get()
        return SIP2Client(channel: channel, frames: frames, encoding: encoding, errorDetection: errorDetection)
    }

    /// Sends `message` and returns the response. With error detection the request gets the next
    /// sequence number, and the response's checksum is verified.
    public func request(_ message: SIP2Message) async throws -> SIP2Message {
        var message = message
        if errorDetection {
            message.sequenceNumber = nextSequenceNumber
            nextSequenceNumber = (nextSequenceNumber + 1) % 10
        }
        try await send(message.encoded(encoding: encoding, errorDetection: errorDetection))
        guard let frame = try await receive() else { throw Error.connectionClosed }
        do {
            return try SIP2Message.decode(frame, encoding: encoding, verifyChecksum: true).message
        } catch .checksumMismatch {
            throw Error.responseChecksumMismatch
        }
    }

    /// Sends bytes as they are (add the CR yourself).
    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// The next message's bytes, without line end; nil once the server has closed the connection.
    public func receive() async throws -> [UInt8]? {
        do {
            return try await frames.next().map { Array($0.readableBytesView) }
        } catch let error as ChannelError where error == .inputClosed || error == .eof {
            return nil
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return nil
        }
    }

    public func close() async {
        try? await channel.close()
    }
}

/// Frames received and not yet asked for, and the receivers waiting for one.
private final class FrameMailbox: Sendable {
    private struct State {
        var frames: [ByteBuffer] = []
        var waiters: [CheckedContinuation<ByteBuffer?, any Swift.Error>] = []
        var ended = false
        var failure: (any Swift.Error)?
    }

    private let state = LockedState(State())

    func deliver(_ frame: ByteBuffer) {
        let waiter = state.withLock { state -> CheckedContinuation<ByteBuffer?, any Swift.Error>? in
            if state.waiters.isEmpty {
                state.frames.append(frame)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: frame)
    }

    func finish(_ failure: (any Swift.Error)? = nil) {
        let waiters = state.withLock { state -> [CheckedContinuation<ByteBuffer?, any Swift.Error>] in
            guard !state.ended else { return [] }
            state.ended = true
            state.failure = failure
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: nil) }
        }
    }

    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<ByteBuffer?, any Swift.Error>? in
                if !state.frames.isEmpty { return .success(state.frames.removeFirst()) }
                if state.ended { return state.failure.map { .failure($0) } ?? .success(nil) }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

/// Hands decoded frames to the client's mailbox.
private final class FrameForwarder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let mailbox: FrameMailbox

    init(_ mailbox: FrameMailbox) {
        self.mailbox = mailbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        mailbox.deliver(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        mailbox.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Swift.Error) {
        mailbox.finish(error)
        context.close(promise: nil)
    }
}
