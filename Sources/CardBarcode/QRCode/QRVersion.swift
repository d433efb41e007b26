/// One of the forty QR code sizes and what it holds at each error correction level (ISO/IEC 18004 tables 7 and 9).
struct QRVersion: Sendable, Hashable {
    static let range = 1...40

    let number: Int

    init(_ number: Int) {
        precondition(Self.range.contains(number), "QR version must be within 1...40, got \(number)")
        self.number = number
    }

    /// Modules on a side.
    var size: Int { 17 + 4 * number }

    /// Byte mode's character count field grows from 8 to 16 bits at version 10.
    var characterCountBits: Int { number < 10 ? 8 : 16 }

    /// Modules left for codewords and remainder bits once every function pattern is drawn.
    var rawDataModules: Int {
        var modules = (16 * number + 128) * number + 64
        if number >= 2 {
            let alignmentCount = number / 7 + 2
            modules -= (25 * alignmentCount - 10) * alignmentCount - 55
            if number >= 7 { modules -= 36 }
        }
        return modules
    }

    var totalCodewords: Int { rawDataModules / 8 }

    func errorCorrectionBlocks(_ level: QRCode.ErrorCorrection) -> Int {
        Self.blockCounts[level.tableRow][number]
    }

    func errorCorrectionCodewordsPerBlock(_ level: QRCode.ErrorCorrection) -> Int {
        Self.codewordsPerBlock[level.tableRow][number]
    }

    func dataCodewords(_ level: QRCode.ErrorCorrection) -> Int {
        totalCodewords - errorCorrectionBlocks(level) * errorCorrectionCodewordsPerBlock(level)
    }

    /// The most bytes one byte-mode segment can carry at `level`.
    func byteCapacity(_ level: QRCode.ErrorCorrection) -> Int {
        (dataCodewords(level) * 8 - 4 - characterCountBits) / 8
    }

    /// Centres of the alignment patterns along each axis (ISO/IEC 18004 annex E): 6, then evenly spaced
    /// (with even steps) back from size − 7.
    var alignmentCentres: [Int] {
        guard number > 1 else { return [] }
        let count = number / 7 + 2
        let step = (number * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        return [6] + (0..<(count - 1)).reversed().map { size - 7 - $0 * step }
    }

    /// The smallest version that carries `byteCount` bytes at `level`; nil when even version 40 cannot.
    static func smallest(fitting byteCount: Int, at level: QRCode.ErrorCorrection) -> QRVersion? {
        range.lazy.map(QRVersion.init).first { $0.byteCapacity(level) >= byteCount }
    }

    // Rows: low, medium, quartile, high; column 0 is unused so a version number indexes directly.
    private static let codewordsPerBlock: [[Int]] = [
        [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    private static let blockCounts: [[Int]] = [
        [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]
}
