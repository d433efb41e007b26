import NIOCore
import Fluent
import Foundation
import Vapor

extension Request {
    /// The client address: the peer as the server saw it, or, when the peer is a trusted reverse proxy
    /// (`ONECARD_TRUSTED_PROXIES`), the address that proxy put in `X-Forwarded-For`. The per-address
    /// limits (`AddressLimit`) and the audit trail count by it.
    var clientAddress: String? {
        remoteAddress?.ipAddress.map {
            Self.clientAddress(peer: $0, forwardedFor: headers["X-Forwarded-For"], trustedProxies: application.settings.trustedProxies)
        }
    }

    /// The rightmost `X-Forwarded-For` hop that is not itself a trusted proxy: the one the nearest trusted
    /// proxy saw connect. Hops to its left were written by the client and could be anything, so they are
    /// never believed; an untrusted peer's header is not read at all.
    static func clientAddress(peer: String, forwardedFor: [String], trustedProxies: [String]) -> String {
        guard trustedProxies.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trustedProxies.contains(hop) {
            return (try? SocketAddress(ipAddress: hop, port: 0)) != nil ? hop : peer
        }
        return peer
    }
}
