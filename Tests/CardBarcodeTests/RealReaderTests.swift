import Foundation
import Testing
@testable import CardBarcode

/// Every barcode a patron might show is read back by zxing-cpp, from the same bytes the app serves.
@Suite("Barcodes read by a real reader (zxing-cpp)")
struct RealReaderTests {
    @Test("The sample texts are the lengths the tests claim")
    func sampleLengths() {
        #expect(CardNumberSamples.sixtyCharacters.count == 60)
        #expect(CardNumberSamples.printableUpper.count == BarcodeText.maximumLength)
        #expect(CardNumberSamples.printableUpper.count + CardNumberSamples.printableLower.count == 95)
    }

    @Test("Code 128 PNGs at the default size read back as Code 128 with the same text")
    func code128PNG() async throws {
        let images = try CardNumberSamples.all.enumerated().map { index, text in
            (name: "code128-\(index).png", contents: try Code128(text).png())
        }
        try await expectRead(images, as: "Code128", texts: CardNumberSamples.all)
    }

    @Test("Code 128 SVGs at the default size read back as Code 128 with the same text")
    func code128SVG() async throws {
        let images = try CardNumberSamples.all.enumerated().map { index, text in
            (name: "code128-\(index).svg", contents: Array(try Code128(text).svg().utf8))
        }
        try await expectRead(images, as: "Code128", texts: CardNumberSamples.all)
    }

    @Test("Code 128 still reads at one pixel per module")
    func code128Narrow() async throws {
        let images = try CardNumberSamples.all.enumerated().map { index, text in
            (name: "code128-narrow-\(index).png", contents: try Code128(text).png(moduleWidth: 1, height: 30))
        }
        try await expectRead(images, as: "Code128", texts: CardNumberSamples.all)
    }

    @Test("QR PNGs at the default size read back as QR codes with the same text and level M")
    func qrPNG() async throws {
        let images = try CardNumberSamples.all.enumerated().map { index, text in
            (name: "qr-\(index).png", contents: try QRCode(text).png())
        }
        try await expectRead(images, as: "QRCode", texts: CardNumberSamples.all, ecLevel: "M")
    }

    @Test("QR SVGs at the default size read back as QR codes with the same text")
    func qrSVG() async throws {
        let images = try CardNumberSamples.all.enumerated().map { index, text in
            (name: "qr-\(index).svg", contents: Array(try QRCode(text).svg().utf8))
        }
        try await expectRead(images, as: "QRCode", texts: CardNumberSamples.all, ecLevel: "M")
    }

    @Test("Each error correction level is the one the reader finds", arguments: [
        (QRCode.ErrorCorrection.low, "L"), (.medium, "M"), (.quartile, "Q"), (.high, "H"),
    ])
    func qrLevels(level: QRCode.ErrorCorrection, letter: String) async throws {
        let texts = [CardNumberSamples.typical, CardNumberSamples.sixtyCharacters, CardNumberSamples.printableUpper]
        let images = try texts.enumerated().map { index, text in
            (name: "qr-\(letter)-\(index).png", contents: try QRCode(text, errorCorrection: level).png())
        }
        try await expectRead(images, as: "QRCode", texts: texts, ecLevel: letter)
    }

    @Test("Every one of the eight masks reads, not only the one the penalty picks")
    func qrEveryMask() async throws {
        let text = CardNumberSamples.sixtyCharacters
        let images = try (0..<8).map { (mask: Int) in
            (name: "qr-mask-\(mask).png",
             contents: try QRCode(bytes: Array(text.utf8), errorCorrection: .medium, mask: mask).png(scale: 4))
        }
        try await expectRead(images, as: "QRCode", texts: Array(repeating: text, count: 8), ecLevel: "M")
    }

    /// Beyond the card number's 64 characters, so the block tables, the 16-bit count and the version
    /// information of large versions meet a reader too.
    @Test("Larger versions read back, up to a full version 40 at each level", arguments: [
        (213, QRCode.ErrorCorrection.medium, 10), (214, .medium, 11), (482, .quartile, 20), (483, .quartile, 21),
        (1_273, .high, 40), (1_663, .quartile, 40), (2_331, .medium, 40), (2_953, .low, 40),
    ])
    func qrLargeVersions(length: Int, level: QRCode.ErrorCorrection, expectedVersion: Int) async throws {
        var generator = SplitMix64(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
        let code = try QRCode(bytes: bytes, errorCorrection: level)
        #expect(code.version == expectedVersion)
        try await expectRead([(name: "qr-v\(code.version).png", contents: code.png(scale: 3))],
                       as: "QRCode", texts: [String(decoding: bytes, as: UTF8.self)])
    }

    private func expectRead(_ images: [(name: String, contents: [UInt8])], as format: String, texts: [String],
                            ecLevel: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reports = try await RealReader.read(images)
        for (report, text) in zip(reports, texts) {
            let name = URL(fileURLWithPath: report.path).lastPathComponent
            #expect(report.problems.isEmpty, "\(name): \(report.problems)", sourceLocation: sourceLocation)
            #expect(report.barcodes.count == 1, "\(name): \(report.barcodes)", sourceLocation: sourceLocation)
            guard let barcode = report.barcodes.first else { continue }
            #expect(barcode.format == format, "\(name)", sourceLocation: sourceLocation)
            #expect(barcode.text == text, "\(name)", sourceLocation: sourceLocation)
            if let ecLevel {
                #expect(barcode.ecLevel == ecLevel, "\(name)", sourceLocation: sourceLocation)
            }
        }
    }
}
