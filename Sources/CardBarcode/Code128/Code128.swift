/// A card number as a Code 128 barcode, the one desk scanners read from the 行動借閱證 screen.
///
/// Holding a value means the text was printable ASCII of 1…64 characters and is fully encoded.
public struct Code128: Sendable, Hashable {
    /// Light modules on each side; ISO/IEC 15417 asks for at least ten, and scanners miss the start without them.
    public static let quietZone = 10

    /// The text the barcode carries.
    public let text: String
    /// Start, data, check and stop symbol values, kept so tests can read the encoding.
    let symbolValues: [Int]
    /// Every module from the left quiet zone to the right one; `true` is a bar.
    public let modules: [Bool]

    /// Encodes `text`; throws when it is empty, longer than 64 characters or not printable ASCII.
    public init(_ text: String) throws(BarcodeError) {
        let checked = try BarcodeText(text)
        self.text = text
        symbolValues = Code128Encoder.symbolValues(for: checked.bytes)
        var modules = [Bool](repeating: false, count: Self.quietZone)
        for value in symbolValues {
            modules.append(contentsOf: Code128Symbols.modules(of: value))
        }
        modules.append(contentsOf: repeatElement(false, count: Self.quietZone))
        self.modules = modules
    }

    /// An 8-bit grayscale PNG. The defaults (3 px a module, 120 px high) scan from a phone held at a desk scanner.
    public func png(moduleWidth: Int = 3, height: Int = 120) -> [UInt8] {
        PNGEncoder.encode(raster(moduleWidth: moduleWidth, height: height))
    }

    /// A standalone SVG document, `moduleWidth × modules.count` by `height` pixels.
    public func svg(moduleWidth: Int = 3, height: Int = 120) -> String {
        SVGRenderer.render(raster(moduleWidth: moduleWidth, height: height))
    }

    private func raster(moduleWidth: Int, height: Int) -> ModuleRaster {
        precondition(moduleWidth > 0 && height > 0, "Code 128 module width and height must be positive")
        return ModuleRaster(columns: modules.count, rows: 1, cellWidth: moduleWidth, cellHeight: height, dark: modules)
    }
}
