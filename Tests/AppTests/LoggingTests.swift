import Foundation
import Logging
import NIOConcurrencyHelpers
import XCTVapor
@testable import App

final class LoggingTests: XCTestCase {
    func testRedactorRemovesIDNumbersInAnyWidthAndSecretValues() {
        XCTAssertEqual(LogRedactor.scrub("lookup A123456789 done"), "lookup [redacted-id] done")
        XCTAssertEqual(LogRedactor.scrub("resident FD12345676 and AA00000009"), "resident [redacted-id] and [redacted-id]")
        XCTAssertFalse(LogRedactor.scrub("全形 Ａ１２３４５６７８９").contains("123456789"))
        XCTAssertEqual(LogRedactor.scrub("GET /staff/password?token=abcDEF123"), "GET /staff/password?token=[redacted]")
        XCTAssertEqual(LogRedactor.scrub(#"{"password": "hunter2hunter2"}"#), #"{"password": "[redacted]"}"#)
        XCTAssertEqual(LogRedactor.scrub("Authorization: Bearer sk_live_123"), "Authorization: [redacted]")
        XCTAssertFalse(LogRedactor.scrub("Authorization: Bearer sk_live_123").contains("sk_live_123"))
        XCTAssertEqual(LogRedactor.scrub("card 1001000000017 renewed"), "card 1001000000017 renewed", "card numbers are not ID numbers")
    }

    func testLogLinesAreJSONWithSensitiveMetadataRedacted() throws {
        let lines = NIOLockedValueBox<[String]>([])
        var logger = Logger(label: "test") { label in
            OneCardLogHandler(label: label, level: .trace) { line in lines.withLockedValue { $0.append(line) } }
        }
        logger[metadataKey: "request-id"] = "r1"
        logger.info("applicant F234567898 submitted", metadata: ["password": "s3cret-pass", "idNumber": "F234567898", "note": "for A123456789"])
        let line = try XCTUnwrap(lines.withLockedValue { $0.first })
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["msg"] as? String, "applicant [redacted-id] submitted")
        XCTAssertEqual(object["password"] as? String, "[redacted]")
        XCTAssertEqual(object["idNumber"] as? String, "[redacted]")
        XCTAssertEqual(object["note"] as? String, "for [redacted-id]")
        XCTAssertEqual(object["request-id"] as? String, "r1")
        XCTAssertEqual(object["level"] as? String, "info")
        XCTAssertFalse(line.contains("F234567898") || line.contains("s3cret-pass") || line.contains("A123456789"))
    }

    func testAFailedSignInWithSecretsInTheFormLeavesNoSecretInTheLog() async throws {
        let lines = NIOLockedValueBox<[String]>([])
        try await withTestApp { app in
            app.logger = Logger(label: "capture") { label in
                OneCardLogHandler(label: label, level: .trace) { line in lines.withLockedValue { $0.append(line) } }
            }
            let browser = TestBrowser(app)
            try await browser.get("/staff/login")
            try await browser.post("/staff/login", form: ["email": "A123456789@example.org", "password": "pw-F234567898-secret"])
            try await browser.get("/staff/password?token=leaky-token-value")
        }
        let all = lines.withLockedValue { $0 }.joined(separator: "\n")
        XCTAssertFalse(all.isEmpty, "the requests were logged")
        XCTAssertFalse(all.contains("A123456789"))
        XCTAssertFalse(all.contains("F234567898"))
        XCTAssertFalse(all.contains("leaky-token-value"))
    }
}
