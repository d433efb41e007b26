import Foundation
import XCTVapor
@testable import App
import TestSubprocess

/// 行動借閱證: the pictures the server draws are read back by zxing-cpp, a reader nobody here wrote.
final class MobileCardTests: XCTestCase {
    struct Decoded: Decodable {
        struct Barcode: Decodable { let format: String; let text: String }
        let barcodes: [Barcode]
        let problems: [String]
    }

    /// Runs Tests/CardBarcodeTests/read_barcodes.py on the images; a missing python3 or zxing-cpp fails.
    func read(_ images: [Data]) async throws -> [Decoded] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mobile-card-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = try images.enumerated().map { index, data in
            let url = directory.appendingPathComponent("\(index).png")
            try data.write(to: url)
            return url.path
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CardBarcodeTests/read_barcodes.py")
        let outcome = try await Subprocess.run(["python3", script.path] + paths)
        XCTAssertEqual(outcome.status, 0, "read_barcodes.py needs python3 with zxing-cpp and pillow (scripts/install-test-tools): \(outcome.stderrText)")
        return try JSONDecoder().decode([Decoded].self, from: outcome.stdout)
    }

    func testTheCardPageShowsACode128AndAQRCodeThatAReaderDecodesToTheCardNumber() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            let page = try await browser.get("/account/card")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains(#"<img class="barcode" src="/account/card/code128.png" alt="借閱證號條碼">"#))
            XCTAssertTrue(page.text.contains(#"<img class="qrcode" src="/account/card/qr.png""#))
            XCTAssertTrue(page.text.contains(patron.cardNumber!))
            XCTAssertEqual(page.headers.first(name: .cacheControl), "no-store")

            let barcode = try await browser.get("/account/card/code128.png")
            let qr = try await browser.get("/account/card/qr.png")
            XCTAssertEqual(barcode.headers.contentType, .png)
            XCTAssertEqual(qr.headers.contentType, .png)
            let decoded = try await read([Data(buffer: barcode.body), Data(buffer: qr.body)])
            XCTAssertEqual(decoded.count, 2)
            XCTAssertEqual(decoded[0].barcodes.map(\.format), ["Code128"])
            XCTAssertEqual(decoded[0].barcodes.map(\.text), [patron.cardNumber!])
            XCTAssertEqual(decoded[1].barcodes.map(\.format), ["QRCode"])
            XCTAssertEqual(decoded[1].barcodes.map(\.text), [patron.cardNumber!])
            XCTAssertEqual(decoded.flatMap(\.problems), [])

            // Big enough to scan from a phone at the desk: 3 px per bar module, 120 px high; QR 8 px per module.
            let png = Data(buffer: barcode.body)
            let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
            let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
            XCTAssertGreaterThanOrEqual(height, 120)
            XCTAssertEqual(width % 3, 0)

            let anonymous = try await TestBrowser(app).get("/account/card/qr.png")
            XCTAssertEqual(anonymous.status, .notFound)
            let english = try await browser.get("/account/card?lang=en")
            XCTAssertTrue(english.text.contains("Library card: borrows, reserves and opens e-resources"))
        }
    }
}
