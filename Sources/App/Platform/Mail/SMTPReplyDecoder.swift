import Foundation
import NIOCore
import NIOPosix

/// Frames SMTP replies: joins the lines of a multi-line reply (`250-…`, `250 …`) into one string.
///
/// It also keeps turns. OneCard never pipelines, so the relay owes exactly one reply for the greeting and one
/// per command written; a byte that arrives when no reply is owed is refused. That is what keeps a reply
/// injected before STARTTLS's handshake (RFC 3207 §5) from being read as one sent over TLS.
struct SMTPReplyDecoder: WriteObservingByteToMessageDecoder {
    typealias InboundOut = String
    typealias OutboundIn = ByteBuffer
    private var pending: [String] = []
    private var repliesOwed = 1

    mutating func write(data: ByteBuffer) {
        repliesOwed += 1
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        guard repliesOwed > 0 else { throw SMTPMailer.SMTPError(stage: "reply", reply: "the relay sent data out of turn") }
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > 4096 { throw SMTPMailer.SMTPError(stage: "reply", reply: "line too long") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex + 1
        var line = buffer.readString(length: length) ?? ""
        line = line.trimmingCharacters(in: .newlines)
        pending.append(line)
        let isLast = line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-"
        if isLast {
            repliesOwed -= 1
            context.fireChannelRead(wrapInboundOut(pending.joined(separator: "\n")))
            pending.removeAll()
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
