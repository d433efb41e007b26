import Foundation
import NIOCore
import NIOSSL

/// The mail relay of `SMTP_URL` and its companions (`SMTP_STARTTLS`, `SMTP_USERNAME`, `SMTP_PASSWORD`,
/// `SMTP_PASSWORD_FILE`, `SMTP_CA_FILE`, `SMTP_TIMEOUT_SECONDS`).
///
/// TLS is expected as soon as anything about it or about signing in is configured: with credentials or a
/// CA file the default is STARTTLS required, and a password is never sent over a connection without TLS.
/// A bare `smtp://host:port` stays the plain SMTP it always was.
public struct SMTPRelaySettings: Sendable, Equatable {
    public enum Security: String, Sendable, Equatable {
        /// Plain SMTP (`SMTP_STARTTLS=off`).
        case none = "off"
        /// STARTTLS when the relay offers it, plain SMTP when it does not (`SMTP_STARTTLS=opportunistic`).
        /// A relay that offers it must pass certificate verification all the same.
        case startTLSIfOffered = "opportunistic"
        /// STARTTLS or no delivery (`SMTP_STARTTLS=required`).
        case startTLS = "required"
        /// TLS from the first byte (`smtps://`, port 465).
        case implicitTLS = "smtps"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: SMTPCredentials?
    /// PEM certificates trusted in addition to the system's roots: a relay with a private or self-signed certificate.
    public var caFile: String?
    /// The longest wait for the connection and for each reply; a relay that stalls fails the attempt and the outbox retries.
    public var timeout: TimeAmount

    public init(host: String, port: Int = 25, security: Security = .none, credentials: SMTPCredentials? = nil,
                caFile: String? = nil, timeout: TimeAmount = .seconds(30)) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
        self.caFile = caFile
        self.timeout = timeout
    }

    /// The certificates of `caFile`; a missing, unreadable or empty file names `SMTP_CA_FILE`.
    static func trustedCertificates(in caFile: String) throws -> [NIOSSLCertificate] {
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(caFile)
        } catch {
            throw ConfigurationError(variable: "SMTP_CA_FILE", problem: "could not be read as PEM certificates (\(caFile))")
        }
        guard !certificates.isEmpty else {
            throw ConfigurationError(variable: "SMTP_CA_FILE", problem: "holds no PEM certificate (\(caFile))")
        }
        return certificates
    }

    /// Client TLS with certificate and host name verification; `caFile` adds to the system's roots.
    func tlsContext() throws -> NIOSSLContext? {
        guard security != .none else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .fullVerification
        if let caFile {
            configuration.additionalTrustRoots = [.certificates(try Self.trustedCertificates(in: caFile))]
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Reads the variables; nil when `SMTP_URL` is unset (mail goes to the mail drop).
    static func fromEnvironment(_ value: (String) -> String?) throws -> SMTPRelaySettings? {
        guard let raw = value("SMTP_URL") else {
            for name in ["SMTP_STARTTLS", "SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_PASSWORD_FILE", "SMTP_CA_FILE", "SMTP_TIMEOUT_SECONDS"]
            where value(name) != nil {
                throw ConfigurationError(variable: name, problem: "is set but SMTP_URL is not")
            }
            return nil
        }
        let expected = "expected smtp://[user:password@]host[:port] or smtps://[user:password@]host[:port]"
        guard let url = URLComponents(string: raw), let scheme = url.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme),
              let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil, url.fragment == nil
        else {
            throw ConfigurationError(variable: "SMTP_URL", problem: expected)
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw ConfigurationError(variable: "SMTP_URL", problem: expected)
        }
        // URLComponents keeps IPv6 literals bracketed; the resolver wants them bare.
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host

        let credentials = try Self.credentials(url: url, value)
        let caFile = value("SMTP_CA_FILE")
        if let caFile { _ = try Self.trustedCertificates(in: caFile) }

        let security: Security
        if scheme == "smtps" {
            if value("SMTP_STARTTLS") != nil {
                throw ConfigurationError(variable: "SMTP_STARTTLS", problem: "applies to smtp:// only; smtps:// is TLS from the start")
            }
            security = .implicitTLS
        } else if let policy = value("SMTP_STARTTLS") {
            guard let chosen = Security(rawValue: policy.lowercased()), chosen != .implicitTLS else {
                throw ConfigurationError(variable: "SMTP_STARTTLS", problem: "expected required, opportunistic or off")
            }
            // A password is sent only inside TLS; only `required` guarantees there is TLS to send it in.
            if credentials != nil, chosen != .startTLS {
                throw ConfigurationError(variable: "SMTP_STARTTLS", problem: "must be required when SMTP credentials are set (a password is never sent without TLS)")
            }
            if caFile != nil, chosen == .none {
                throw ConfigurationError(variable: "SMTP_STARTTLS", problem: "is off, so SMTP_CA_FILE would never be used")
            }
            security = chosen
        } else {
            security = credentials != nil || caFile != nil ? .startTLS : .none
        }

        var timeout = TimeAmount.seconds(30)
        if let raw = value("SMTP_TIMEOUT_SECONDS") {
            guard let seconds = Int(raw), (1...600).contains(seconds) else {
                throw ConfigurationError(variable: "SMTP_TIMEOUT_SECONDS", problem: "expected a whole number of seconds from 1 to 600")
            }
            timeout = .seconds(Int64(seconds))
        }
        return SMTPRelaySettings(host: bareHost, port: url.port ?? (scheme == "smtps" ? 465 : 25), security: security,
                                 credentials: credentials, caFile: caFile, timeout: timeout)
    }

    /// From the URL's user information (percent-decoded) or from the variables, never from both.
    private static func credentials(url: URLComponents, _ value: (String) -> String?) throws -> SMTPCredentials? {
        var username = url.user
        var password = url.password
        if username != nil || password != nil {
            for name in ["SMTP_USERNAME", "SMTP_PASSWORD", "SMTP_PASSWORD_FILE"] where value(name) != nil {
                throw ConfigurationError(variable: name, problem: "conflicts with the credentials in SMTP_URL; give them in one place")
            }
        } else {
            username = value("SMTP_USERNAME")
            password = value("SMTP_PASSWORD")
            if let file = value("SMTP_PASSWORD_FILE") {
                guard password == nil else {
                    throw ConfigurationError(variable: "SMTP_PASSWORD_FILE", problem: "conflicts with SMTP_PASSWORD; set one of them")
                }
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    throw ConfigurationError(variable: "SMTP_PASSWORD_FILE", problem: "could not be read (\(file))")
                }
                // A secret file usually ends with one line break, which is not part of the password.
                var secret = Substring(text)
                if secret.hasSuffix("\n") { secret = secret.dropLast() }
                if secret.hasSuffix("\r") { secret = secret.dropLast() }
                password = String(secret)
            }
        }
        switch (username, password) {
        case (nil, nil):
            return nil
        case (let user?, let secret?) where !user.isEmpty && !secret.isEmpty:
            // AUTH PLAIN separates its fields with NUL; a line break has no place in either.
            guard !user.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw ConfigurationError(variable: url.user != nil ? "SMTP_URL" : "SMTP_USERNAME", problem: "the SMTP user name contains a control character")
            }
            guard !secret.unicodeScalars.contains(where: { $0 == "\0" || $0 == "\r" || $0 == "\n" }) else {
                throw ConfigurationError(variable: url.user != nil ? "SMTP_URL" : "SMTP_PASSWORD", problem: "the SMTP password contains a NUL or line break")
            }
            return SMTPCredentials(username: user, password: secret)
        default:
            let variable = url.user != nil || url.password != nil ? "SMTP_URL" : (username == nil || username!.isEmpty ? "SMTP_USERNAME" : "SMTP_PASSWORD")
            throw ConfigurationError(variable: variable, problem: "an SMTP user name needs a password and a password needs a user name")
        }
    }
}
