import Foundation
import Testing
@testable import UploadInspection

@Suite struct PDFTests {
    @Test func pdfWrittenByPillowIsAcceptedByteExact() async throws {
        let document = try await fixture("document.pdf")
        let accepted = try UploadInspector.inspect(document)
        #expect(accepted.kind == .pdf && accepted.kind.mediaType == "application/pdf")
        let unchanged = accepted.bytes == document
        #expect(unchanged, "PDFs are kept byte-exact")
        #expect(accepted.pageCount == 1)
        #expect(accepted.pixelWidth == nil && accepted.removedMetadata.isEmpty)
    }

    @Test func pagesAreCountedAndLimited() async throws {
        let document = try await fixture("pages3.pdf")
        #expect(try UploadInspector.inspect(document).pageCount == 3)
        #expect(rejection(document, policy: UploadPolicy(maximumPDFPages: 2)) == .tooManyPages(pages: 3, limit: 2))
        #expect(rejection(document, policy: UploadPolicy(maximumPDFPages: nil)) == nil)
    }

    @Test func imagesInsideAPDFAreHeldToThePixelLimit() async throws {
        // Pillow stores the 640 × 480 picture as an image XObject.
        let document = try await fixture("document.pdf")
        #expect(rejection(document, policy: UploadPolicy(maximumPixels: 640 * 480 - 1))
            == .tooManyPixels(width: 640, height: 480, limit: 640 * 480 - 1))
        #expect(rejection(try await fixture("huge-image.pdf")) == .tooManyPixels(width: 20000, height: 20000, limit: 40_000_000))
        // Sizes whose product does not fit in 64 bits are refused too, not overflowed.
        let absurd = try await fixture("crafted.pdf").replacing(Array("4 0 obj\n".utf8), with: Array((
            "9 0 obj << /Subtype /Image /Width 99999999999 /Height 99999999999 /Length 0 >>\nstream\n\nendstream\nendobj\n"
                + "4 0 obj\n").utf8))
        #expect(rejection(absurd) == .tooManyPixels(width: 99_999_999_999, height: 99_999_999_999, limit: 40_000_000))
    }

    @Test func headerMayFollowOnlyAByteOrderMarkOrWhitespace() async throws {
        let document = try await fixture("crafted.pdf")
        #expect(rejection(document) == nil)
        #expect(rejection([0xEF, 0xBB, 0xBF] + Array(" \r\n".utf8) + document) == nil)
        #expect(rejection(Array("PK\u{03}\u{04} polyglot\n".utf8) + document) == .notAnAcceptedType(detected: .zipArchive))
        #expect(rejection(Array("hello\n".utf8) + document)?.code == "not_accepted_type")
    }

    @Test func truncatedPDFIsMalformed() async throws {
        let document = try await fixture("document.pdf")
        let cut = Array(document[..<(document.count / 2)])
        #expect(rejection(cut) == .malformed(offset: cut.count, reason: "no %%EOF marker at the end (the file may be truncated)"))
        #expect(rejection(Array("%PDF-x.y\n%%EOF\n".utf8)) == .malformed(offset: 0, reason: "a PDF header without a version number"))
    }

    @Test(arguments: [
        ("javascript.pdf", "contains JavaScript"),
        ("escaped-javascript.pdf", "contains JavaScript"),
        ("launch.pdf", "contains a launch action, which can start a program"),
        ("embedded.pdf", "contains embedded files"),
        ("objstm-javascript.pdf", "contains JavaScript"),
        ("objstm-predictor-javascript.pdf", "contains JavaScript"),
    ])
    func activeContentIsRefused(name: String, reason: String) async throws {
        let refused = rejection(try await fixture(name))
        #expect(refused == .unsafePDF(reason: reason))
        #expect(refused?.code == "unsafe_pdf")
    }

    @Test func encryptedPDFIsRefused() async throws {
        let refused = rejection(try await fixture("encrypted.pdf"))
        #expect(refused == .encryptedPDF)
        #expect(refused?.description == "The PDF is encrypted or password-protected.")
    }

    @Test func objectStreamsAreInflatedAndChecked() async throws {
        // The same objects, compressed, with and without a PNG predictor: both read as one clean page.
        #expect(try UploadInspector.inspect(try await fixture("objstm.pdf")).pageCount == 1)
        #expect(try UploadInspector.inspect(try await fixture("objstm-predictor.pdf")).pageCount == 1)
    }

    @Test func objectStreamThatCannotBeInflatedIsRefused() async throws {
        var document = try await fixture("objstm.pdf")
        let data = try #require(document.firstRange(of: Array("stream\n".utf8), after: document.firstRange(of: Array("/ObjStm".utf8))!.upperBound))
        let offset = try #require(document.firstRange(of: Array("5 0 obj".utf8))).upperBound + 1
        for index in data.upperBound + 2..<data.upperBound + 12 { document[index] = 0xFF }
        #expect(rejection(document) == .malformed(offset: offset, reason: "an object stream that cannot be decompressed"))

        let lzw = try await fixture("objstm.pdf")
        let renamed = lzw.replacing(Array("/FlateDecode /Length".utf8), with: Array("/LZWDecode /Length  ".utf8))
        #expect(rejection(renamed) == .unsafePDF(reason: "has compressed objects encoded with /LZWDecode, which cannot be checked"))
    }

    @Test func objectStreamsOverTheBudgetAreRefusedForTheirSizeNotTheirContent() async throws {
        // Clean objects padded to 65 MiB: the refusal must say the file is too big to check, not that it
        // holds scripts or attachments, which would send the person looking for something that is not there.
        let refused = rejection(try await fixture("objstm-oversized.pdf"))
        #expect(refused == .pdfObjectsTooLarge(limit: 64 * 1_048_576))
        #expect(refused?.code == "pdf_objects_too_large")
        #expect(refused?.description == "The PDF's compressed objects expand to more than 64 MB, too much to check.")
    }

    @Test func brokenSyntaxIsMalformed() async throws {
        let document = try await fixture("crafted.pdf")
        let unclosed = document.replacing(Array("/Count 1 >>".utf8), with: Array("/Count 1 ((".utf8))
        #expect(rejection(unclosed)?.code == "malformed")
        let pageless = document.replacing(Array("/Type /Page ".utf8), with: Array("/Type /Leaf ".utf8))
        #expect(rejection(pageless)?.code == "malformed")
    }
}

extension Array where Element == UInt8 {
    func firstRange(of pattern: [UInt8], after start: Int) -> Range<Int>? {
        guard let range = Array(self[start...]).firstRange(of: pattern) else { return nil }
        return range.lowerBound + start..<range.upperBound + start
    }

    func replacing(_ old: [UInt8], with new: [UInt8]) -> [UInt8] {
        guard let range = firstRange(of: old) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: new)
        return copy
    }
}
