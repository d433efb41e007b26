import Foundation
import XCTVapor

/// One browser's form post, prepared so many can be sent at once: its session cookie and its body
/// (with the session's CSRF token).
struct PreparedPost: Sendable {
    let path: String
    let cookie: String
    let body: String

    init(_ browser: TestBrowser, path: String, form: [String: String]) throws {
        var fields = form
        fields["_csrf"] = try XCTUnwrap(browser.lastCSRFToken)
        var components = URLComponents()
        components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        self.path = path
        self.cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        self.body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
    }

    /// Sends every post at once and returns their status codes, in the order of `posts`.
    static func sendAll(_ posts: [PreparedPost], to app: Application) async throws -> [UInt] {
        try await withThrowingTaskGroup(of: (Int, UInt).self) { group in
            for (index, post) in posts.enumerated() {
                group.addTask {
                    var headers: HTTPHeaders = [:]
                    headers.contentType = .urlEncodedForm
                    headers.replaceOrAdd(name: .cookie, value: post.cookie)
                    return (index, try await app.testable().sendRequest(.POST, post.path, headers: headers, body: ByteBuffer(string: post.body)).status.code)
                }
            }
            var codes = [UInt](repeating: 0, count: posts.count)
            for try await (index, code) in group { codes[index] = code }
            return codes
        }
    }
}

