import Foundation
import NIOCore
import NIOPosix

/// A small SMTP client (RFC 5321) for the relay named by `SMTP_URL`: EHLO, MAIL, RCPT, DATA, QUIT.
struct SMTPMailer: Mailer {
    let host: String
    let port: Int
    let heloName: String
    let eventLoopGroup: any EventLoopGroup
    var timeout: TimeAmount = .seconds(30)

    struct SMTPError: Error, CustomStringConvertible {
        let stage: String
        let reply: String
        var description: String { "SMTP \(stage) refused: \(reply)" }
    }

    func send(_ message: MailMessage) async throws {
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(timeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()

            func expect(_ codes: Set<Int>, _ stage: String) async throws {
                guard let reply = try await replies.next() else { throw SMTPError(stage: stage, reply: "connection closed") }
                guard let code = Int(reply.prefix(3)), codes.contains(code) else {
                    throw SMTPError(stage: stage, reply: reply)
                }
            }
            func send(_ line: String) async throws {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
            }

            try await expect([220], "greeting")
            try await send("EHLO \(heloName)")
            try await expect([250], "EHLO")
            try await send("MAIL FROM:<\(message.fromAddress)>")
            try await expect([250], "MAIL FROM")
            try await send("RCPT TO:<\(message.toAddress)>")
            try await expect([250, 251], "RCPT TO")
            try await send("DATA")
            try await expect([354], "DATA")
            // Dot-stuffing: a line that starts with "." gets another, so it cannot end the message early.
            let content = message.rfc5322()
                .split(separator: "\r\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
                .joined(separator: "\r\n")
            try await outbound.write(ByteBuffer(string: content + (content.hasSuffix("\r\n") ? "" : "\r\n") + ".\r\n"))
            try await expect([250], "message")
            try await send("QUIT")
            _ = try? await replies.next()
        }
    }
}
