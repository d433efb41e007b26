import Foundation
import XCTVapor
@testable import App

/// Body limits through a real socket: a body the route will not take is refused from the head, before
/// the client has sent it, and the server stays free for everyone else.
final class BodyLimitTests: XCTestCase {
    /// Runs `body` against the app listening on a free port of 127.0.0.1.
    private func withRunningServer(_ app: Application, _ body: (Int) async throws -> Void) async throws {
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
            try await body(port)
        } catch {
            // A request left waiting for its body ends when the connection closes; let it finish before the
            // app's services go away, so a failure is reported rather than crashing the test process.
            await app.server.shutdown()
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            throw error
        }
        await app.server.shutdown()
    }

    private func healthz(_ port: Int) async throws -> Int {
        let connection = try RawHTTPConnection(port: port)
        try await connection.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        return try await connection.readResponse().status
    }

    private static let signIn = SiteURL.service(.signIn).path

    func testEveryRouteThatTakesABodyDeclaresItsLimit() async throws {
        try await withTestApp { app in
            let takingBodies: Set<String> = ["POST", "PUT", "PATCH", "DELETE"]
            let routes = app.routes.all.filter { takingBodies.contains($0.method.rawValue) }
            XCTAssertGreaterThan(routes.count, 30)
            for route in routes {
                XCTAssertNotNil(route.bodyLimit, "\(route.method) /\(route.path.string) declares no body limit")
            }
            func limit(_ path: String) -> BodyLimit? {
                routes.first { "/" + $0.path.string == path }?.bodyLimit
            }
            XCTAssertEqual(limit(Self.signIn), .form)
            XCTAssertEqual(BodyLimit.form.bytes, 16 * 1024)
            XCTAssertEqual(limit(SiteURL.apiCardApplications.path), .json)
            XCTAssertEqual(limit(SiteURL.groupContactNewBatch.path), .readerDataFile)
            XCTAssertEqual(limit(SiteURL.digitalCardForm.path), .identityDocuments)
            XCTAssertEqual(BodyLimit.identityDocuments.readable, "51 MB", "five 10 MB documents and the form")
            XCTAssertEqual(limit(SiteURL.groupApplicationForm.path), .groupDocuments)
            XCTAssertEqual(BodyLimit.groupDocuments.readable, "21 MB")
            XCTAssertEqual(BodyLimit.readerDataFile.readable, "65 MB")
            XCTAssertEqual(app.routes.defaultMaxBodySize.value, BodyLimit.form.bytes, "a GET with a body gets a small form's worth")
        }
    }

    func testAFiveMegabyteSignInPostIsRefusedFromItsHeadWhileTheServerStaysFree() async throws {
        try await withTestApp { app in
            try await withRunningServer(app) { port in
                let connection = try RawHTTPConnection(port: port)
                // The head announces 5 MB; only 64 KB follow. The answer must come without the rest.
                try await connection.send("POST \(Self.signIn) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: \(5 * 1024 * 1024)\r\nAccept-Language: en\r\n\r\n")
                try await connection.send([UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024))
                let answer = try await connection.readResponse()
                XCTAssertEqual(answer.status, 413)
                XCTAssertTrue(answer.body.contains("at most 16 KB can be sent here"), answer.body)
                let health = try await healthz(port)
                XCTAssertEqual(health, 200)
            }
        }
    }

    func testAPostWithoutASessionIsRefusedBeforeItsBodyIsRead() async throws {
        try await withTestApp { app in
            try await withRunningServer(app) { port in
                // Within the limit, but with no session there is no token to compare: 403 from the head alone.
                let connection = try RawHTTPConnection(port: port)
                try await connection.send("POST \(Self.signIn) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 12000\r\n\r\nidentifier=A123456789&password=")
                let answer = try await connection.readResponse()
                XCTAssertEqual(answer.status, 403)
                XCTAssertTrue(answer.body.contains("表單已過期或來源不明"), answer.body)
            }
        }
    }

    func testAStreamedBodyIsRefusedAsSoonAsItCrossesTheLimit() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get(Self.signIn)
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let token = try XCTUnwrap(browser.lastCSRFToken)
            try await withRunningServer(app) { port in
                let connection = try RawHTTPConnection(port: port)
                try await connection.send("POST \(Self.signIn) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Cookie: \(cookie)\r\nTransfer-Encoding: chunked\r\n\r\n")
                let field = "_csrf=\(token)&identifier="
                try await connection.send(String(field.utf8.count, radix: 16) + "\r\n" + field + "\r\n")
                // 20 KB more, in two chunks, and the body never ends: the answer comes once 16 KB are crossed.
                for _ in 0..<2 {
                    try await connection.send(String(10 * 1024, radix: 16) + "\r\n" + String(repeating: "b", count: 10 * 1024) + "\r\n")
                }
                let answer = try await connection.readResponse()
                XCTAssertEqual(answer.status, 413)
                XCTAssertTrue(answer.body.contains("16 KB"), answer.body)
                let health = try await healthz(port)
                XCTAssertEqual(health, 200)
            }
        }
    }

    func testATooLargeUploadWithAValidSessionGetsTheLocalizedPageNamingTheLimit() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get(SiteURL.groupApplicationForm.path)
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            try await withRunningServer(app) { port in
                for (language, expected) in [("zh-TW", "這裡最多只能送出 21 MB"), ("en", "at most 21 MB can be sent here")] {
                    let connection = try RawHTTPConnection(port: port)
                    try await connection.send("POST \(SiteURL.groupApplicationForm.path) HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: multipart/form-data; boundary=xyz\r\nCookie: \(cookie)\r\nAccept-Language: \(language)\r\n"
                        + "Content-Length: \(30 * 1024 * 1024)\r\n\r\n--xyz\r\n")
                    try await connection.send([UInt8](repeating: 0x42, count: 256 * 1024))
                    let answer = try await connection.readResponse()
                    XCTAssertEqual(answer.status, 413)
                    XCTAssertEqual(answer.header("Content-Type")?.hasPrefix("text/html"), true)
                    XCTAssertTrue(answer.body.contains(expected), answer.body)
                }
            }
        }
    }

    func testIdentityDocumentsAreNotReceivedBeforeTheEligibilityCheck() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get(SiteURL.service(.digitalCard).path)
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            try await withRunningServer(app) { port in
                // 40 MB is within the form's limit, but this session has passed no eligibility check.
                let connection = try RawHTTPConnection(port: port)
                try await connection.send("POST \(SiteURL.digitalCardForm.path) HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: multipart/form-data; boundary=xyz\r\nCookie: \(cookie)\r\n"
                    + "Content-Length: \(40 * 1024 * 1024)\r\n\r\n--xyz\r\n")
                try await connection.send([UInt8](repeating: 0x42, count: 256 * 1024))
                let answer = try await connection.readResponse()
                XCTAssertEqual(answer.status, 403)
                XCTAssertTrue(answer.body.contains("目前無法從這裡送出此表單"), answer.body)
            }
        }
    }

    func testTheAPIChecksTheBearerTokenBeforeReadingTheBody() async throws {
        try await withTestApp { app in
            try await withRunningServer(app) { port in
                let connection = try RawHTTPConnection(port: port)
                try await connection.send("POST \(SiteURL.apiCardApplications.path) HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"name\":")
                let answer = try await connection.readResponse()
                XCTAssertEqual(answer.status, 401)
                XCTAssertTrue(answer.body.contains("\"code\":\"unauthorized\""), answer.body)

                let large = try RawHTTPConnection(port: port)
                try await large.send("POST \(SiteURL.apiCardApplications.path) HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(BodyLimit.json.bytes + 1)\r\nAccept-Language: en\r\n\r\n{")
                let tooLarge = try await large.readResponse()
                XCTAssertEqual(tooLarge.status, 413)
                XCTAssertTrue(tooLarge.body.contains("\"code\":\"payload_too_large\""), tooLarge.body)
                XCTAssertTrue(tooLarge.body.contains("at most 64 KB"), tooLarge.body)
            }
        }
    }
}
