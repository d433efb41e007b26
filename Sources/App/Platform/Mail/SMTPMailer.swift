import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) for the relay named by `SMTP_URL`: EHLO, STARTTLS (RFC 3207) or TLS from the
/// start, AUTH PLAIN or LOGIN (RFC 4954), MAIL, RCPT, DATA, QUIT. Written by hand because no maintained Swift
/// SMTP client sits on the NIO and swift-nio-ssl OneCard already has; TLS itself is swift-nio-ssl's.
///
/// Every step (connecting, and each reply) has its own deadline; a relay that stalls fails the attempt
/// and the outbox tries again later. A password is written only on a connection that TLS protects, and it
/// never appears in an error: a refusal of AUTH keeps only the reply's codes.
struct SMTPMailer: Mailer {
    let relay: SMTPRelaySettings
    let heloName: String
    let eventLoopGroup: any EventLoopGroup
    private let tls: NIOSSLContext?

    /// Builds the TLS context once; an unreadable `SMTP_CA_FILE` stops the start here.
    init(relay: SMTPRelaySettings, heloName: String, eventLoopGroup: any EventLoopGroup) throws {
        self.relay = relay
        self.heloName = heloName
        self.eventLoopGroup = eventLoopGroup
        self.tls = try relay.tlsContext()
    }

    struct SMTPError: Error, CustomStringConvertible {
        let stage: String
        let reply: String
        var description: String { "SMTP \(stage) failed: \(reply)" }
    }

    func send(_ message: MailMessage) async throws {
        do {
            try await deliver(message)
        } catch let error as SMTPError {
            throw SMTPError(stage: error.stage, reply: withholdingSecrets(error.reply))
        } catch {
            throw SMTPError(stage: "connect", reply: withholdingSecrets(String(describing: error)))
        }
    }

    /// A relay's reply may quote what it was sent (a careless one echoes the AUTH line): no form of the password survives.
    private func withholdingSecrets(_ text: String) -> String {
        guard let credentials = relay.credentials else { return text }
        return credentials.secretForms.reduce(text) { $0.replacingOccurrences(of: $1, with: "[withheld]") }
    }

    /// The host name checked against the relay's certificate and sent as SNI; an IP address is checked
    /// against the certificate's IP entries instead (SNI carries no addresses).
    private var serverHostname: String? {
        var v4 = in_addr()
        var v6 = in6_addr()
        let isAddress = inet_pton(AF_INET, relay.host, &v4) == 1 || inet_pton(AF_INET6, relay.host, &v6) == 1
        return isAddress ? nil : relay.host
    }

    private func deliver(_ message: MailMessage) async throws {
        let tls = self.tls
        let serverHostname = self.serverHostname
        let implicitTLS = relay.security == .implicitTLS
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(relay.timeout)
                .connect(host: relay.host, port: relay.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS, let tls {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError(stage: "connect", reply: String(describing: error))
        }
        try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            var protected = implicitTLS

            /// Writes `line` (if any) and waits for a reply with one of `codes`, within the deadline. With
            /// `quoting` false a refusal keeps only its codes, not the relay's text.
            @discardableResult
            func exchange(_ line: String?, expect codes: Set<Int>, _ stage: String, quoting: Bool = true) async throws -> String {
                try await withDeadline(stage, on: channel.channel) {
                    if let line { try await outbound.write(ByteBuffer(string: line + "\r\n")) }
                    guard let reply = try await replies.next() else { throw SMTPError(stage: stage, reply: "connection closed") }
                    guard let code = Int(reply.prefix(3)), codes.contains(code) else {
                        throw SMTPError(stage: stage, reply: quoting ? reply : Self.codes(of: reply))
                    }
                    return reply
                }
            }

            try await exchange(nil, expect: [220], "greeting")
            var capabilities = Self.capabilities(try await exchange("EHLO \(heloName)", expect: [250], "EHLO"))

            if !protected, relay.security == .startTLS || relay.security == .startTLSIfOffered {
                if capabilities.contains("STARTTLS"), let tls {
                    try await exchange("STARTTLS", expect: [220], "STARTTLS")
                    // The decoder refuses anything the relay sent after its 220 in plain text (RFC 3207 §5),
                    // so nothing injected before the handshake can pass for a reply over TLS.
                    // The handshake is awaited before EHLO is written: a refused certificate is then reported as
                    // the TLS failure it is, not as a write that raced the channel's close.
                    try await withDeadline("STARTTLS", on: channel.channel) {
                        let handshake = channel.channel.eventLoop.makePromise(of: Void.self)
                        do {
                            try await channel.channel.eventLoop.submit {
                                let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverHostname)
                                try channel.channel.pipeline.syncOperations.addHandler(handler, position: .first)
                                try channel.channel.pipeline.syncOperations.addHandler(TLSHandshakeWaiter(handshake), position: .after(handler))
                            }.get()
                        } catch {
                            handshake.fail(error)  // never left pending: NIO treats a promise nobody completes as a bug
                            throw error
                        }
                        try await handshake.futureResult.get()
                    }
                    protected = true
                    // The capabilities offered before TLS may have been altered in transit; only these count.
                    capabilities = Self.capabilities(try await exchange("EHLO \(heloName)", expect: [250], "EHLO over TLS"))
                } else if relay.security == .startTLS {
                    throw SMTPError(stage: "STARTTLS", reply: "the relay does not offer STARTTLS, and SMTP_STARTTLS requires it")
                }
            }

            if let credentials = relay.credentials {
                // The settings already insist on TLS with credentials; this is the last word before the wire.
                guard protected else {
                    throw SMTPError(stage: "AUTH", reply: "not sent: the connection is not protected by TLS")
                }
                let mechanisms = Self.authMechanisms(in: capabilities)
                if mechanisms.contains("PLAIN") {
                    let token = Data("\0\(credentials.username)\0\(credentials.password)".utf8).base64EncodedString()
                    try await exchange("AUTH PLAIN \(token)", expect: [235], "AUTH PLAIN", quoting: false)
                } else if mechanisms.contains("LOGIN") {
                    try await exchange("AUTH LOGIN", expect: [334], "AUTH LOGIN", quoting: false)
                    try await exchange(Data(credentials.username.utf8).base64EncodedString(), expect: [334], "AUTH LOGIN user name", quoting: false)
                    try await exchange(Data(credentials.password.utf8).base64EncodedString(), expect: [235], "AUTH LOGIN password", quoting: false)
                } else {
                    throw SMTPError(stage: "AUTH", reply: "the relay offers no PLAIN or LOGIN sign-in (offered: \(mechanisms.sorted().joined(separator: " ")))")
                }
            }

            try await exchange("MAIL FROM:<\(message.fromAddress)>", expect: [250], "MAIL FROM")
            try await exchange("RCPT TO:<\(message.toAddress)>", expect: [250, 251], "RCPT TO")
            try await exchange("DATA", expect: [354], "DATA")
            // Dot-stuffing: a line that starts with "." gets another, so it cannot end the message early.
            let content = message.rfc5322()
                .split(separator: "\r\n", omittingEmptySubsequences: false)
                .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
                .joined(separator: "\r\n")
            try await exchange(content + (content.hasSuffix("\r\n") ? "" : "\r\n") + ".", expect: [250], "message")
            _ = try? await exchange("QUIT", expect: [221], "QUIT")
        }
    }

    /// Runs one step under the relay's deadline. When it passes, the channel is closed, which ends any wait
    /// for a reply or for room to write; the error then says which step stalled.
    private func withDeadline<T>(_ stage: String, on channel: any Channel, _ body: () async throws -> T) async throws -> T {
        let expired = NIOLockedValueBox(false)
        let deadline = channel.eventLoop.scheduleTask(in: relay.timeout) {
            expired.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            return try await body()
        } catch {
            if expired.withLockedValue({ $0 }) {
                throw SMTPError(stage: stage, reply: "no answer within \(relay.timeout.nanoseconds / 1_000_000_000) s")
            }
            // The decoder's refusals ("out of turn", "line too long") name the step they interrupted.
            if let error = error as? SMTPError { throw error.stage == "reply" ? SMTPError(stage: stage, reply: error.reply) : error }
            if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError {
                throw SMTPError(stage: stage, reply: "TLS failed: \(error)")
            }
            throw SMTPError(stage: stage, reply: String(describing: error))
        }
    }

    /// `250-relay.example\n250-STARTTLS\n250 AUTH PLAIN LOGIN` → ["STARTTLS", "AUTH PLAIN LOGIN"] (upper-cased).
    static func capabilities(_ ehloReply: String) -> Set<String> {
        Set(ehloReply.split(separator: "\n").dropFirst().map { $0.dropFirst(4).trimmingCharacters(in: .whitespaces).uppercased() })
    }

    /// The mechanisms of `AUTH …` (and the old `AUTH=…` some relays still send).
    static func authMechanisms(in capabilities: Set<String>) -> Set<String> {
        Set(capabilities.filter { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }
            .flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) })
    }

    /// `535 5.7.8 Authentication credentials invalid` → `535 5.7.8`: a refusal of AUTH keeps only its codes.
    static func codes(of reply: String) -> String {
        let words = reply.split(separator: "\n").last?.split(separator: " ", maxSplits: 2) ?? []
        let enhanced = words.count > 1 && words[1].allSatisfy { $0.isNumber || $0 == "." } ? " " + words[1] : ""
        return String(words.first?.prefix(3) ?? "") + enhanced
    }
}
