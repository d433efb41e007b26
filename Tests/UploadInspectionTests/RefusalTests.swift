import Foundation
import Testing
@testable import UploadInspection

/// Size and type: what is refused before any image or document is read.
@Suite struct RefusalTests {
    @Test func emptyFileIsRefused() async {
        #expect(rejection([]) == .empty)
        #expect(UploadRejection.empty.code == "empty")
    }

    @Test func elevenMegabyteJPEGIsRefusedOnSizeAlone() async throws {
        // A valid JPEG, padded with APP15 segments after SOI to 11 MB.
        let jpeg = try await fixture("gps.jpg")
        let target = 11 * 1024 * 1024
        var padded: [UInt8] = [0xFF, 0xD8]
        while padded.count + 65537 + jpeg.count - 2 <= target {
            padded += [0xFF, 0xEF, 0xFF, 0xFF] + [UInt8](repeating: 0x20, count: 65533)
        }
        let rest = target - padded.count - (jpeg.count - 2) - 4
        padded += [0xFF, 0xEF, UInt8((rest + 2) >> 8), UInt8((rest + 2) & 0xFF)] + [UInt8](repeating: 0x20, count: rest)
        padded += jpeg[2...]
        #expect(padded.count == target)

        let refused = rejection(padded)
        #expect(refused == .tooLarge(bytes: target, limit: 10 * 1024 * 1024))
        #expect(refused?.code == "too_large")
        #expect(refused?.description == "The file has 11534336 bytes; the limit is 10485760 bytes (10 MB).")

        // The same file under a 12 MB limit is a JPEG like any other: the refusal was the size, nothing else.
        let accepted = try UploadInspector.inspect(padded, policy: UploadPolicy(maximumBytes: 12 * 1024 * 1024))
        #expect(accepted.kind == .jpeg)
        #expect(accepted.removedMetadata.contains("APP15"))
        #expect(accepted.bytes.count < jpeg.count)
    }

    @Test func elevenMegabytesOfRandomBytesAreRefusedOnSizeBeforeType() async {
        var noise = [UInt8](repeating: 0, count: 11 * 1024 * 1024)
        var generator = SystemRandomNumberGenerator()
        noise.withUnsafeMutableBytes { buffer in
            for index in stride(from: 0, to: buffer.count, by: 8) {
                buffer.storeBytes(of: generator.next(), toByteOffset: index, as: UInt64.self)
            }
        }
        #expect(rejection(noise) == .tooLarge(bytes: 11 * 1024 * 1024, limit: 10 * 1024 * 1024))
    }

    @Test func sizeLimitIsInclusive() async throws {
        let jpeg = try await fixture("plain.jpg")
        #expect(rejection(jpeg, policy: UploadPolicy(maximumBytes: jpeg.count)) == nil)
        let refused = rejection(jpeg, policy: UploadPolicy(maximumBytes: jpeg.count - 1))
        #expect(refused == .tooLarge(bytes: jpeg.count, limit: jpeg.count - 1))
        #expect(refused?.description == "The file has \(jpeg.count) bytes; the limit is \(jpeg.count - 1) bytes.")
    }

    @Test func renamedLinuxExecutableIsNamed() async throws {
        let program = try #require(FileManager.default.contents(atPath: "/bin/ls"), "/bin/ls is readable")
        let refused = rejection([UInt8](program))
        #expect(refused == .notAnAcceptedType(detected: .elfExecutable))
        #expect(refused?.code == "not_accepted_type")
        #expect(refused?.description == "The file is an ELF executable, not a JPEG or PNG picture or a PDF document.")
    }

    @Test func renamedWindowsExecutableIsNamed() async {
        // A DOS stub pointing (at 0x3C) to a PE header for x86-64, as every .exe starts.
        var program = [UInt8](repeating: 0, count: 512)
        program[0] = UInt8(ascii: "M")
        program[1] = UInt8(ascii: "Z")
        program[0x3C] = 0x80
        program.replaceSubrange(0x80..<0x86, with: Array("PE\u{00}\u{00}".utf8) + [0x64, 0x86])
        let refused = rejection(program)
        #expect(refused == .notAnAcceptedType(detected: .windowsExecutable))
        #expect(refused?.description.contains("a Windows executable") == true)
        #expect(RecognizedFileType.windowsExecutable.rawValue == "windows_executable")
    }

    @Test func textFileRenamedToJPGIsRefusedAsText() async {
        let text = Array("國民身分證 A123456789\n姓名：王小明\n".utf8)
        #expect(rejection(text) == .notAnAcceptedType(detected: .text))
        #expect(rejection(Array("<!DOCTYPE html><html><body>photo</body></html>".utf8))
            == .notAnAcceptedType(detected: .htmlDocument))
        #expect(rejection(Array("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".utf8))
            == .notAnAcceptedType(detected: .svgImage))
        #expect(rejection(Array("#!/bin/sh\nrm -rf /\n".utf8)) == .notAnAcceptedType(detected: .script))
    }

    @Test(arguments: [
        ("image.gif", RecognizedFileType.gifImage),
        ("image.bmp", .bmpImage),
        ("image.tiff", .tiffImage),
        ("image.webp", .webpImage),
        ("archive.zip", .zipArchive),
    ])
    func otherFormatsWrittenByRealProgramsAreNamed(name: String, expected: RecognizedFileType) async throws {
        #expect(rejection(try await fixture(name)) == .notAnAcceptedType(detected: expected))
    }

    @Test func unrecognizableBinaryIsRefusedWithoutAName() async {
        let refused = rejection([0x00, 0x01, 0x02, 0x03, 0xFE, 0x80, 0x81])
        #expect(refused == .notAnAcceptedType(detected: nil))
        #expect(refused?.description == "The file is not a JPEG or PNG picture or a PDF document.")
    }

    @Test func jpegAndPNGMagicMustBeComplete() async {
        #expect(rejection([0xFF, 0xD8, 0x00, 0x10]) == .notAnAcceptedType(detected: nil))
        #expect(rejection([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]) == .notAnAcceptedType(detected: nil))
    }

    @Test func codesAreStable() async {
        let codes = [
            UploadRejection.empty,
            .tooLarge(bytes: 2, limit: 1),
            .notAnAcceptedType(detected: nil),
            .tooManyPixels(width: 2, height: 2, limit: 1),
            .malformed(offset: 0, reason: "x"),
            .encryptedPDF,
            .unsafePDF(reason: "contains JavaScript"),
            .tooManyPages(pages: 2, limit: 1),
            .pdfObjectsTooLarge(limit: 1),
        ].map(\.code)
        #expect(codes == [
            "empty", "too_large", "not_accepted_type", "too_many_pixels", "malformed", "encrypted_pdf", "unsafe_pdf",
            "too_many_pages", "pdf_objects_too_large",
        ])
    }

    @Test func kindsNameTheirMediaTypeAndExtension() async {
        #expect(UploadKind.allCases.map(\.mediaType) == ["image/jpeg", "image/png", "application/pdf"])
        #expect(UploadKind.allCases.map(\.fileExtension) == ["jpg", "png", "pdf"])
    }
}
