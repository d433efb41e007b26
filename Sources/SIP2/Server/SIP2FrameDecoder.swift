import NIOCore

/// Splits the byte stream into messages: a message ends at CR, and CRLF or a lone LF are accepted
/// too (the empty frames they leave are dropped). Guards the connection against abuse.
struct SIP2FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    enum Failure: Error, Hashable, CustomStringConvertible {
        /// More than the maximum message length without a line end.
        case messageTooLong(limit: Int)
        /// A TLS ClientHello on this plain-text port (the PyPI `sip2` client tries TLS first);
        /// closing at once lets such a client fall back to plain text instead of waiting.
        case tlsHandshake

        var description: String {
            switch self {
            case .messageTooLong(let limit): return "message longer than \(limit) bytes"
            case .tlsHandshake: return "TLS handshake on the plain-text SIP2 port"
            }
        }
    }

    let maximumLength: Int
    private var scanned = 0
    private var firstBytesChecked: Bool

    init(maximumLength: Int, rejectsTLS: Bool = true) {
        self.maximumLength = maximumLength
        self.firstBytesChecked = !rejectsTLS
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if !firstBytesChecked {
            guard buffer.readableBytes >= 2 else { return .needMoreData }
            firstBytesChecked = true
            // A TLS record starts with content type 0x16 (handshake) and major version 0x03.
            if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == 0x16,
               buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) == 0x03 {
                throw Failure.tlsHandshake
            }
        }
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scanned)
        guard let end = view[searchStart...].firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) else {
            scanned = view.count
            if view.count > maximumLength { throw Failure.messageTooLong(limit: maximumLength) }
            return .needMoreData
        }
        let length = end - view.startIndex
        if length > maximumLength { throw Failure.messageTooLong(limit: maximumLength) }
        let frame = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        if length > 0 { context.fireChannelRead(wrapInboundOut(frame)) }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Complete messages still count; an unterminated tail at EOF is dropped.
        while buffer.readableBytes > 0, try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }
}

/// What the idle check needs to know about one connection: how many received messages are still
/// being answered, and when the last answer was handed to the channel. Shared by the connection's
/// serve task (which answers) and its `SIP2IdleCloser` (on the event loop).
final class SIP2ConnectionActivity: Sendable {
    private struct State {
        var messagesInFlight = 0
        var lastAnswered = NIODeadline.uptimeNanoseconds(0)
    }

    private let state = LockedState(State())

    /// A complete message arrived; it is in flight until `answered()`.
    func received() { state.withLock { $0.messagesInFlight += 1 } }

    /// The serve task finished with one message (its answer, if any, is written).
    func answered(at time: NIODeadline = .now()) {
        state.withLock { state in
            state.messagesInFlight = max(0, state.messagesInFlight - 1)
            state.lastAnswered = time
        }
    }

    /// Whether nothing is in flight and the last answer is at least `timeout` old.
    func isIdle(timeout: TimeAmount, now: NIODeadline = .now()) -> Bool {
        state.withLock { $0.messagesInFlight == 0 && now - $0.lastAnswered >= timeout }
    }
}

/// Closes a connection that has been idle for the idle timeout: no byte read and no answer written
/// (`IdleStateHandler(allTimeout:)` in front of it), and no message being answered. This is what
/// cleans up half-open connections whose peer vanished without a FIN, and it never cuts a request
/// whose backend call (a slow password hash) outlasts the timeout.
///
/// Sits after the frame decoder, so each `channelRead` is one message. When the event comes while a
/// message is in flight (or its answer was just handed over and its write has not completed yet), it
/// is ignored: `IdleStateHandler` schedules its next check one timeout after firing, and from then on
/// counts from the answer's write.
final class SIP2IdleCloser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let activity: SIP2ConnectionActivity
    private let onIdle: @Sendable () -> Void

    init(timeout: TimeAmount, activity: SIP2ConnectionActivity, onIdle: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.activity = activity
        self.onIdle = onIdle
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        activity.received()
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            guard activity.isIdle(timeout: timeout) else { return }
            onIdle()
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
