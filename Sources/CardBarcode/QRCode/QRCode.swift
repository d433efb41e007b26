/// A card number as a QR code (ISO/IEC 18004, model 2, byte mode), for phone cameras and newer desk scanners.
///
/// The smallest version that holds the text is chosen, and of the eight masks the one with the
/// lowest penalty score, ties going to the lower mask number, so the same text always draws the same.
public struct QRCode: Sendable, Hashable {
    /// How much of the symbol may be damaged or hidden and still read: about 7, 15, 25 and 30 %.
    public enum ErrorCorrection: Sendable, Hashable, CaseIterable {
        case low, medium, quartile, high

        /// The two bits the format information uses for the level (not in the order of strength).
        var formatBits: Int {
            switch self {
            case .low: 0b01
            case .medium: 0b00
            case .quartile: 0b11
            case .high: 0b10
            }
        }

        var tableRow: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }
    }

    /// Light modules on each side of the symbol in `png` and `svg`, the minimum the standard asks for.
    public static let quietZone = 4

    /// The text the symbol carries.
    public let text: String
    /// The level asked for; the version grows with it.
    public let errorCorrection: ErrorCorrection
    /// 1…40; a 64-character card number needs at most version 7 (at `.high`).
    public let version: Int
    /// Modules on a side, without the quiet zone: 21 for version 1, four more for each version after.
    public let size: Int
    /// The data mask chosen, 0…7.
    let mask: Int
    /// Row-major, `size × size`.
    private let modules: [Bool]

    /// Encodes `text`; throws when it is empty, longer than 64 characters or not printable ASCII.
    public init(_ text: String, errorCorrection: ErrorCorrection = .medium) throws(BarcodeError) {
        let checked = try BarcodeText(text)
        try self.init(bytes: checked.bytes, errorCorrection: errorCorrection)
    }

    /// The longest link `init(link:)` takes.
    public static let maximumLinkLength = 512

    /// Encodes a link longer than a card number, such as the `otpauth://` URI of a staff member's
    /// authenticator app (issue #14 item 6): printable ASCII, up to `maximumLinkLength` characters.
    public init(link text: String, errorCorrection: ErrorCorrection = .medium) throws(BarcodeError) {
        let checked = try BarcodeText(text, maximumLength: Self.maximumLinkLength)
        try self.init(bytes: checked.bytes, errorCorrection: errorCorrection)
    }

    /// Encodes any bytes, without the card number's limits; `mask` forces a mask instead of choosing one.
    init(bytes: [UInt8], errorCorrection: ErrorCorrection, mask forcedMask: Int? = nil) throws(BarcodeError) {
        guard let version = QRVersion.smallest(fitting: bytes.count, at: errorCorrection) else {
            throw .tooLong(bytes.count)
        }
        let data = QRCodewords.data(bytes, version: version, level: errorCorrection)
        var unmasked = QRMatrix(version: version)
        unmasked.place(QRCodewords.interleaved(data, version: version, level: errorCorrection))

        var best: (matrix: QRMatrix, mask: QRMask, penalty: Int)?
        for mask in forcedMask.map({ [QRMask($0)] }) ?? QRMask.all {
            var candidate = unmasked
            candidate.apply(mask)
            candidate.drawFormatInfo(level: errorCorrection, mask: mask)
            let penalty = QRPenalty.score(candidate)
            if best == nil || penalty < best!.penalty {
                best = (candidate, mask, penalty)
            }
        }
        text = String(decoding: bytes, as: UTF8.self)
        self.errorCorrection = errorCorrection
        self.version = version.number
        size = version.size
        mask = best!.mask.number
        modules = best!.matrix.modules
    }

    /// Whether the module at column `x`, row `y` (0-based from the top left, quiet zone excluded) is dark.
    public func isDark(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "(\(x), \(y)) is outside the \(size)×\(size) symbol")
        return modules[y * size + x]
    }

    /// An 8-bit grayscale PNG with the quiet zone. The default 8 px a module reads from a phone screen at a desk.
    public func png(scale: Int = 8) -> [UInt8] {
        PNGEncoder.encode(raster(scale: scale))
    }

    /// A standalone SVG document with the quiet zone, `(size + 8) × scale` pixels square.
    public func svg(scale: Int = 8) -> String {
        SVGRenderer.render(raster(scale: scale))
    }

    private func raster(scale: Int) -> ModuleRaster {
        precondition(scale > 0, "QR scale must be positive")
        let side = size + 2 * Self.quietZone
        var dark = [Bool](repeating: false, count: side * side)
        for y in 0..<size {
            for x in 0..<size where modules[y * size + x] {
                dark[(y + Self.quietZone) * side + x + Self.quietZone] = true
            }
        }
        return ModuleRaster(columns: side, rows: side, cellWidth: scale, cellHeight: scale, dark: dark)
    }
}
