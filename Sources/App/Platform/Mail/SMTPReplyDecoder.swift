import Foundation
import NIOCore
import NIOPosix

/// Frames SMTP replies: joins the lines of a multi-line reply (`250-…`, `250 …`) into one string.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = String
    private var pending: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
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
