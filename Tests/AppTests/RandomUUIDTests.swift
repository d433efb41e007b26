import Foundation
import XCTest
@testable import App

/// `UUID.random()` (#13 item 6) stands in for Foundation's `UUID()` where thousands are made at once: it must
/// make the same kind of identifier, version 4 with the RFC 4122 variant, and never the same one twice.
final class RandomUUIDTests: XCTestCase {
    func testRandomUUIDsAreVersion4WithTheRFC4122VariantAndDistinct() {
        var seen = Set<UUID>()
        for _ in 0..<10_000 {
            let uuid = UUID.random()
            let bytes = withUnsafeBytes(of: uuid.uuid) { Array($0) }
            XCTAssertEqual(bytes[6] >> 4, 4, uuid.uuidString)
            XCTAssertEqual(bytes[8] >> 6, 0b10, uuid.uuidString)
            // The text form says the same, and reads back as the same UUID.
            XCTAssertEqual(Array(uuid.uuidString)[14], "4")
            XCTAssertEqual(UUID(uuidString: uuid.uuidString), uuid)
            seen.insert(uuid)
        }
        XCTAssertEqual(seen.count, 10_000)
        // Every bit outside the version and variant varies.
        let all = seen.map { withUnsafeBytes(of: $0.uuid) { Array($0) } }
        for index in 0..<16 {
            let fixed: UInt8 = index == 6 ? 0xF0 : index == 8 ? 0xC0 : 0
            let ored = all.reduce(UInt8(0)) { $0 | $1[index] }
            let anded = all.reduce(UInt8(0xFF)) { $0 & $1[index] }
            XCTAssertEqual(ored | fixed, 0xFF, "byte \(index) never sets some bit")
            XCTAssertEqual(anded & ~fixed, 0, "byte \(index) always sets some bit")
        }
    }
}
