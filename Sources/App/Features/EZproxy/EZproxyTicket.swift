import Crypto
import Foundation

/// A ticket URL as OCLC documents EZproxy's ticket authentication (EZproxy 3.0f and later): "Ticket
/// Authentication", https://help.oclc.org/Library_Management/EZproxy/Authenticate_users/EZproxy_authentication_methods/Ticket_authentication
/// (formerly https://www.oclc.org/support/services/ezproxy/documentation/usr/ticket.en.html), and its
/// sample generator (the PHP `EZproxyTicket` class):
///
///     packet = "$u" + <Unix time> [+ "$g" + <groups joined by "+">] + "$e"
///     ticket = hex(<digest>(secret + user + packet)) + packet
///     <EZproxy>/login?user=<urlencoded user>&ticket=<urlencoded ticket>&url=<destination>
///
/// The digest is the one user.txt's `::Ticket` block names after `TimeValid` (`MD5`, `SHA1`, `SHA256`,
/// `SHA512`, each followed by the shared secret). EZproxy recomputes it, refuses a ticket older than
/// `TimeValid` minutes, and keeps only the groups its `AcceptGroups` line lists. `url` comes last,
/// as in the sample: EZproxy reads the rest of the query as the destination. Written by hand: it is a
/// string and a hash, and no maintained Swift package does it.
struct EZproxyTicket {
    enum Algorithm: String, CaseIterable, Sendable {
        case md5, sha1, sha256, sha512

        /// As user.txt spells the directive.
        var directive: String { rawValue.uppercased() }

        func hexDigest(_ text: String) -> String {
            let data = Data(text.utf8)
            switch self {
            case .md5: return OneTimeToken.hex(Insecure.MD5.hash(data: data))
            case .sha1: return OneTimeToken.hex(Insecure.SHA1.hash(data: data))
            case .sha256: return OneTimeToken.hex(SHA256.hash(data: data))
            case .sha512: return OneTimeToken.hex(SHA512.hash(data: data))
            }
        }
    }

    let secret: String
    let algorithm: Algorithm
    let user: String
    let groups: [String]
    let issuedAt: Date

    var packet: String {
        "$u\(Int(issuedAt.timeIntervalSince1970))" + (groups.isEmpty ? "" : "$g" + groups.joined(separator: "+")) + "$e"
    }

    var ticket: String { algorithm.hexDigest(secret + user + packet) + packet }

    /// The address to send the reader to. `destination` is EZproxy's `url` as it reached OneCard (a URL from
    /// `^U`, or `^R`'s opaque string), passed back unchanged but for characters a Location header may not
    /// carry (spaces, non-ASCII, `#`), which are percent-encoded.
    func url(ezproxy base: String, destination: String?) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + "/login?user=" + Self.component(user) + "&ticket=" + Self.component(ticket)
        if let destination, !destination.isEmpty {
            url += "&url=" + (destination.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "")
        }
        return url
    }

    /// PHP's `urlencode` as the sample uses it: everything but letters, digits and `-_.` is `%XX`.
    static func component(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")) ?? ""
    }
}
