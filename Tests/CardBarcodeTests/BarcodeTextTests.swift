import Testing
@testable import CardBarcode

@Suite("What text a barcode accepts")
struct BarcodeTextTests {
    @Test("Empty text is refused by both symbologies")
    func empty() {
        #expect(throws: BarcodeError.empty) { try Code128("") }
        #expect(throws: BarcodeError.empty) { try QRCode("") }
    }

    @Test("Non-ASCII and control characters are refused at their character offset", arguments: [
        ("A12é4", 3), ("卡號12345", 0), ("A\n1", 1), ("\r\n12", 0), ("A👍🏽B", 1), ("12\u{7F}", 2),
        ("Ａ1234", 0), ("A1234\u{0}", 5), ("e\u{301}1", 0),
    ])
    func unsupportedCharacters(text: String, offset: Int) {
        #expect(throws: BarcodeError.unsupportedCharacter(offset: offset)) { try Code128(text) }
        #expect(throws: BarcodeError.unsupportedCharacter(offset: offset)) { try QRCode(text) }
    }

    @Test("Sixty-four characters are accepted, sixty-five are too long")
    func length() throws {
        let longest = String(repeating: "A1", count: 32)
        #expect(try Code128(longest).text == longest)
        #expect(try QRCode(longest, errorCorrection: .high).text == longest)
        #expect(throws: BarcodeError.tooLong(65)) { try Code128(longest + "9") }
        #expect(throws: BarcodeError.tooLong(65)) { try QRCode(longest + "9") }
        #expect(throws: BarcodeError.tooLong(1_000)) { try QRCode(String(repeating: "卡", count: 1_000)) }
    }

    @Test("Space and tilde, the ends of printable ASCII, are accepted")
    func printableEnds() throws {
        #expect(try BarcodeText(" ~").bytes == [0x20, 0x7E])
    }

    @Test("Errors have stable codes for the API")
    func codes() {
        #expect(BarcodeError.empty.code == "barcode_empty")
        #expect(BarcodeError.unsupportedCharacter(offset: 2).code == "barcode_character")
        #expect(BarcodeError.tooLong(70).code == "barcode_length")
    }
}
