import Foundation
import Testing
@testable import UploadInspection

/// The inflater that reads PDF object streams, against data compressed by zlib itself.
@Suite struct InflateTests {
    @Test(arguments: ["zlib-level0.bin", "zlib-level1.bin", "zlib-level6.bin", "zlib-level9.bin", "zlib-fixed.bin"])
    func inflatesWhatZlibWrote(name: String) async throws {
        let source = try await fixture("zlib-source.bin")
        let compressed = try await fixture(name)
        #expect(try Inflater.zlibDecompress(compressed[...], limit: source.count) == source)
    }

    @Test func stopsAtTheOutputLimit() async throws {
        let compressed = try await fixture("zlib-level9.bin")
        #expect(throws: Inflater.Failure.outputLimit) {
            try Inflater.zlibDecompress(compressed[...], limit: 1000)
        }
    }

    @Test func truncatedOrDamagedDataFails() async throws {
        let compressed = try await fixture("zlib-level6.bin")
        #expect(throws: Inflater.Failure.truncated) {
            try Inflater.zlibDecompress(compressed[..<(compressed.count / 2)], limit: 1 << 24)
        }
        #expect(throws: Inflater.Failure.badHeader) {
            try Inflater.zlibDecompress([0x78, 0x00, 0x00][...], limit: 1 << 24)
        }
    }
}
