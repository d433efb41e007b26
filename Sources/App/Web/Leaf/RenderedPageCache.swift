import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Pages rendered for visitors without a session, kept so the next such visitor with the same page gets them
/// without Leaf (#13 item 1: rendering was most of a public page's time, `perf` on `GET /`).
///
/// What a page shows is a function of its template, its page model, the language and the URL (`#otherLanguageURL`),
/// plus the session (`#readerSignedIn`, the staff tags) and the CSRF token. Only requests with no session are
/// served from here, and the key holds the rest: the page model itself, encoded with sorted keys, so a change in
/// the data (the directory after its refresh, a new consent document) is a new key and never a stale page.
/// The visitor's CSRF token is never kept: a page is stored cut at its token, and each visitor's own token
/// (`Request.csrfToken`, with its cookie) is put back in.
///
/// Only fixed public URLs qualify (`isEligible`): a GET whose route has no parameter and whose query holds at
/// most `lang`, so a one-time link's secret (in a path or query) never becomes a key, and the number of keys is
/// bounded by the pages times the languages times the versions of their data; the cache is emptied when it
/// reaches `capacity` all the same.
final class RenderedPageCache: Sendable {
    struct Key: Hashable, Sendable {
        let template: String
        let locale: SiteLocale
        let url: String
        let model: Data
    }

    /// A page cut where the visitor's CSRF token goes (one piece when it shows none).
    struct Page: Sendable {
        let pieces: [ByteBuffer]

        init(_ rendered: ByteBuffer, token: String?) {
            guard let token, !token.isEmpty else {
                pieces = [rendered]
                return
            }
            let bytes = Array(rendered.readableBytesView), needle = Array(token.utf8)
            var pieces: [ByteBuffer] = [], start = 0, index = 0
            while index + needle.count <= bytes.count {
                if bytes[index] == needle[0], Array(bytes[index..<index + needle.count]) == needle {
                    pieces.append(ByteBuffer(bytes: bytes[start..<index]))
                    index += needle.count
                    start = index
                } else {
                    index += 1
                }
            }
            pieces.append(ByteBuffer(bytes: bytes[start...]))
            self.pieces = pieces
        }

        var showsToken: Bool { pieces.count > 1 }

        func filled(with token: String?) -> ByteBuffer {
            guard showsToken, let token else { return pieces[0] }
            var page = ByteBuffer()
            page.reserveCapacity(pieces.reduce(0) { $0 + $1.readableBytes } + (pieces.count - 1) * token.utf8.count)
            for (index, piece) in pieces.enumerated() {
                if index > 0 { page.writeString(token) }
                page.writeImmutableBuffer(piece)
            }
            return page
        }
    }

    static let capacity = 256
    private let pages = NIOLockedValueBox<[Key: Page]>([:])

    var count: Int { pages.withLockedValue { $0.count } }

    func page(for key: Key) -> Page? {
        pages.withLockedValue { $0[key] }
    }

    func store(_ page: Page, for key: Key) {
        pages.withLockedValue { pages in
            if pages.count >= Self.capacity { pages.removeAll(keepingCapacity: true) }
            pages[key] = page
        }
    }

    /// The key of this page for this request, or nil when it must be rendered for this request alone.
    static func key(template: String, model: some Encodable, for request: Request) -> Key? {
        guard isEligible(request) else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        guard let encoded = try? encoder.encode(model) else { return nil }
        return Key(template: template, locale: request.locale, url: request.url.string, model: encoded)
    }

    static func isEligible(_ request: Request) -> Bool {
        guard request.method == .GET, !request.hasSession, let route = request.route,
              route.path.allSatisfy({ if case .constant = $0 { true } else { false } })
        else { return false }
        guard let query = request.url.query else { return true }
        return query.hasPrefix("lang=") && query.utf8.count <= 10 && !query.contains("&")
    }
}
