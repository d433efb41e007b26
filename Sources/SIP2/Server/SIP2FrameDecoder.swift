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
