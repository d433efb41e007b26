import Foundation
import NIOCore
import Vapor

/// The OpenID Connect client registration with 台北通. The redirect URI is not configured: it is
/// `ONECARD_BASE_URL` + `/login/taipei-pass/callback`, and must be registered with the provider as such.
public struct TaipeiPassSettings: Sendable, Equatable {
    /// Exactly as the provider's discovery document and ID tokens spell it (`iss`).
    public var issuer: String
    public var clientID: String
    /// Confidential clients authenticate at the token endpoint; public clients rely on PKCE alone.
    public var clientSecret: String?

    public init(issuer: String, clientID: String, clientSecret: String? = nil) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// Where the provider's discovery document lives (OpenID Connect Discovery 1.0, section 4).
    public var discoveryURL: String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + "/.well-known/openid-configuration"
    }

    static func fromEnvironment(issuer: String?, clientID: String?, clientSecret: String?, production: Bool) throws -> TaipeiPassSettings? {
        guard let issuer else {
            if clientID != nil || clientSecret != nil {
                throw ConfigurationError(variable: "ONECARD_TAIPEI_PASS_ISSUER", problem: "is required when a Taipei Pass client id or secret is set")
            }
            return nil
        }
        guard let clientID else {
            throw ConfigurationError(variable: "ONECARD_TAIPEI_PASS_CLIENT_ID", problem: "is required when ONECARD_TAIPEI_PASS_ISSUER is set")
        }
        guard let url = URLComponents(string: issuer), let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            throw ConfigurationError(variable: "ONECARD_TAIPEI_PASS_ISSUER", problem: "expected an https URL without query or fragment")
        }
        // Plain http only to a provider on this machine, and never in production (tests start one on loopback).
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"].contains(host.lowercased())
        guard url.scheme == "https" || (url.scheme == "http" && loopback && !production) else {
            throw ConfigurationError(variable: "ONECARD_TAIPEI_PASS_ISSUER", problem: "expected an https URL without query or fragment")
        }
        return TaipeiPassSettings(issuer: issuer, clientID: clientID, clientSecret: clientSecret)
    }
}
