/// The text a barcode carries, checked once for both symbologies: printable ASCII, 1…64 characters.
///
/// Card numbers are 10–16 letters and digits; the limit leaves room for prefixes while keeping a
/// Code 128 narrow enough to fit a phone screen at three pixels per module.
struct BarcodeText: Sendable, Hashable {
    static let maximumLength = 64

    /// One byte per character, each in 0x20…0x7E.
    let bytes: [UInt8]

    /// `maximumLength`: a QR code of a link (`QRCode(link:)`) holds more than a card number.
    init(_ text: String, maximumLength: Int = Self.maximumLength) throws(BarcodeError) {
        guard !text.isEmpty else { throw .empty }
        // Counting characters first keeps a pasted novel from being scanned twice.
        let count = text.count
        guard count <= maximumLength else { throw .tooLong(count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        // Characters, not scalars: an offset must point at what a person sees, and "\r\n" is one
        // Character whose asciiValue would otherwise pass as a single byte.
        for (offset, character) in text.enumerated() {
            guard character.unicodeScalars.count == 1,
                  let scalar = character.unicodeScalars.first,
                  (0x20...0x7E).contains(scalar.value) else {
                throw .unsupportedCharacter(offset: offset)
            }
            bytes.append(UInt8(scalar.value))
        }
        self.bytes = bytes
    }
}
