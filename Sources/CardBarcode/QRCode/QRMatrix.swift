/// The module grid of a QR symbol while it is being built: function patterns first, then the
/// codewords in the zig-zag order, then a mask and the format information that names it.
struct QRMatrix: Sendable, Hashable {
    let size: Int
    /// Row-major; `true` is dark.
    private(set) var modules: [Bool]
    /// Modules that belong to finder, timing, alignment, format or version patterns and are never masked.
    private var isFunction: [Bool]

    /// A grid with every function pattern of `version` drawn and the format areas reserved.
    init(version: QRVersion) {
        size = version.size
        modules = [Bool](repeating: false, count: size * size)
        isFunction = modules
        drawTimingPatterns()
        drawFinderPattern(centreX: 3, centreY: 3)
        drawFinderPattern(centreX: size - 4, centreY: 3)
        drawFinderPattern(centreX: 3, centreY: size - 4)
        drawAlignmentPatterns(centres: version.alignmentCentres)
        // Reserves the format areas (and the dark module); the real bits come once the mask is chosen.
        drawFormatInfo(level: .medium, mask: QRMask(0))
        if version.number >= 7 {
            drawVersionInfo(version.number)
        }
    }

    func isDark(x: Int, y: Int) -> Bool {
        modules[y * size + x]
    }

    /// Places the codewords' bits in two-module columns from the bottom right, snaking up and down and
    /// skipping the vertical timing pattern; modules left over are the remainder bits, light before masking.
    mutating func place(_ codewords: [UInt8]) {
        var bitIndex = 0
        let bitCount = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for step in 0..<size {
                let y = upward ? size - 1 - step : step
                for x in [right, right - 1] where !isFunction[y * size + x] && bitIndex < bitCount {
                    modules[y * size + x] = codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7)) & 1 == 1
                    bitIndex += 1
                }
            }
            right -= 2
        }
        precondition(bitIndex == bitCount, "Codewords do not fill the symbol")
    }

    /// Flips every data module where `mask` says so; applying the same mask twice undoes it.
    mutating func apply(_ mask: QRMask) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] && mask.flips(row: y, column: x) {
                modules[y * size + x].toggle()
            }
        }
    }

    /// Both copies of the format information, and the dark module beside the lower-left one.
    mutating func drawFormatInfo(level: QRCode.ErrorCorrection, mask: QRMask) {
        let bits = QRFormatInfo.bits(level: level, mask: mask.number)
        func bit(_ index: Int) -> Bool { bits >> index & 1 == 1 }
        // Around the top-left finder: bits 0–7 down column 8 (skipping the timing row), 8–14 along row 8.
        for index in 0...5 {
            setFunction(x: 8, y: index, dark: bit(index))
        }
        setFunction(x: 8, y: 7, dark: bit(6))
        setFunction(x: 8, y: 8, dark: bit(7))
        setFunction(x: 7, y: 8, dark: bit(8))
        for index in 9..<15 {
            setFunction(x: 14 - index, y: 8, dark: bit(index))
        }
        // The second copy: bits 0–7 along row 8 under the top-right finder, 8–14 up column 8 beside the bottom-left.
        for index in 0..<8 {
            setFunction(x: size - 1 - index, y: 8, dark: bit(index))
        }
        for index in 8..<15 {
            setFunction(x: 8, y: size - 15 + index, dark: bit(index))
        }
        setFunction(x: 8, y: size - 8, dark: true)
    }

    /// Two 6×3 blocks of version information, beside the top-right and bottom-left finders.
    private mutating func drawVersionInfo(_ version: Int) {
        let bits = QRVersionInfo.bits(version: version)
        for index in 0..<18 {
            let dark = bits >> index & 1 == 1
            let near = size - 11 + index % 3
            let far = index / 3
            setFunction(x: near, y: far, dark: dark)
            setFunction(x: far, y: near, dark: dark)
        }
    }

    private mutating func drawTimingPatterns() {
        for index in 0..<size {
            setFunction(x: 6, y: index, dark: index.isMultiple(of: 2))
            setFunction(x: index, y: 6, dark: index.isMultiple(of: 2))
        }
    }

    /// A 7×7 finder with its light separator, clipped at the symbol's edge.
    private mutating func drawFinderPattern(centreX: Int, centreY: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let x = centreX + dx
                let y = centreY + dy
                guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                let ring = max(abs(dx), abs(dy))
                setFunction(x: x, y: y, dark: ring != 2 && ring != 4)
            }
        }
    }

    /// A 5×5 alignment pattern at every pair of centres, except the three that would sit on a finder.
    private mutating func drawAlignmentPatterns(centres: [Int]) {
        let last = centres.count - 1
        for (i, centreY) in centres.enumerated() {
            for (j, centreX) in centres.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 {
                        setFunction(x: centreX + dx, y: centreY + dy, dark: max(abs(dx), abs(dy)) != 1)
                    }
                }
            }
        }
    }

    private mutating func setFunction(x: Int, y: Int, dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }
}
