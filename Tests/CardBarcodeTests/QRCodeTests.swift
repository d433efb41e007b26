import Testing
@testable import CardBarcode

@Suite("QR code")
struct QRCodeTests {
    // MARK: Reed–Solomon

    @Test("GF(256) uses the polynomial 0x11D: α⁸ = 0x1D and α²⁵⁵ = 1")
    func field() {
        #expect(GaloisField.exponent[8] == 0x1D)
        #expect(GaloisField.exponent[255] == 1)
        #expect(Set(GaloisField.exponent[0..<255]).count == 255)
        #expect(GaloisField.multiply(0x80, 0x02) == 0x1D)
        #expect(GaloisField.multiply(0, 0x53) == 0)
    }

    /// ISO/IEC 18004 annex A lists generator polynomials by their coefficients' logarithms.
    @Test("Generator polynomials match the standard's table", arguments: [
        (7, [0, 87, 229, 146, 149, 238, 102, 21]),
        (10, [0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45]),
        (13, [0, 74, 152, 176, 100, 86, 100, 106, 104, 130, 218, 206, 140, 78]),
    ])
    func generators(degree: Int, logarithms: [Int]) {
        let generator = ReedSolomonEncoder(degree: degree).generator
        #expect(generator.map { GaloisField.logarithm[Int($0)] } == logarithms)
    }

    @Test("Error correction codewords of the standard's annex I example (\"01234567\", 1-M)")
    func annexExample() {
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let expected: [UInt8] = [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55]
        #expect(ReedSolomonEncoder(degree: 10).errorCorrection(for: data) == expected)
    }

    @Test("Error correction codewords of the widely used \"HELLO WORLD\" 1-M example")
    func helloWorldExample() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let expected: [UInt8] = [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]
        #expect(ReedSolomonEncoder(degree: 10).errorCorrection(for: data) == expected)
    }

    // MARK: Codewords

    @Test("Byte-mode data codewords: mode 0100, 8-bit count, bytes, terminator, EC 11 padding")
    func dataCodewords() {
        // 0100 00000010 01000001 01000010 0000 → 40 24 14 20, then padding to 16 codewords.
        let data = QRCodewords.data(Array("AB".utf8), version: QRVersion(1), level: .medium)
        #expect(data == [0x40, 0x24, 0x14, 0x20, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11])
    }

    @Test("From version 10 the byte count takes 16 bits")
    func sixteenBitCount() {
        // 0100 0000000011001000 01000001… → 40 0C 84 1…
        let data = QRCodewords.data([UInt8](repeating: 0x41, count: 200), version: QRVersion(10), level: .medium)
        #expect(Array(data.prefix(3)) == [0x40, 0x0C, 0x84])
        #expect(data.count == QRVersion(10).dataCodewords(.medium))
    }

    @Test("Interleaving takes data column by column across blocks, short blocks first, then error correction")
    func interleaving() {
        // 5-Q: two blocks of 15 and two of 16 data codewords, 18 error correction codewords each.
        let version = QRVersion(5)
        let data = (0..<62).map { UInt8($0) }
        let result = QRCodewords.interleaved(data, version: version, level: .quartile)
        #expect(result.count == 134)
        #expect(Array(result.prefix(8)) == [0, 15, 30, 46, 1, 16, 31, 47])
        // The 16th column exists only in the two long blocks.
        #expect(Array(result[60..<62]) == [45, 61])
        let encoder = ReedSolomonEncoder(degree: 18)
        let firstBlockCorrection = encoder.errorCorrection(for: Array(data[0..<15]))
        let lastBlockCorrection = encoder.errorCorrection(for: Array(data[46..<62]))
        #expect(result[62] == firstBlockCorrection[0])
        #expect(result[65] == lastBlockCorrection[0])
        #expect(result[133] == lastBlockCorrection[17])
    }

    // MARK: Versions

    /// Byte-mode capacities from ISO/IEC 18004 table 7 (L, M, Q, H).
    @Test("Byte capacities match the standard's table", arguments: [
        (1, [17, 14, 11, 7]), (2, [32, 26, 20, 14]), (3, [53, 42, 32, 24]), (4, [78, 62, 46, 34]),
        (5, [106, 84, 60, 44]), (6, [134, 106, 74, 58]), (7, [154, 122, 86, 64]), (8, [192, 152, 108, 84]),
        (9, [230, 180, 130, 98]), (10, [271, 213, 151, 119]), (20, [858, 666, 482, 382]),
        (40, [2953, 2331, 1663, 1273]),
    ])
    func capacities(version: Int, bytes: [Int]) {
        let levels: [QRCode.ErrorCorrection] = [.low, .medium, .quartile, .high]
        #expect(levels.map { QRVersion(version).byteCapacity($0) } == bytes)
    }

    @Test("Total codewords per version match the standard's table")
    func totalCodewords() {
        let expected = [1: 26, 2: 44, 3: 70, 4: 100, 5: 134, 6: 172, 7: 196, 8: 242, 9: 292, 10: 346, 40: 3706]
        for (version, codewords) in expected {
            #expect(QRVersion(version).totalCodewords == codewords, "version \(version)")
        }
    }

    @Test("Alignment pattern centres match the standard's annex E", arguments: [
        (1, []), (2, [6, 18]), (6, [6, 34]), (7, [6, 22, 38]), (10, [6, 28, 50]), (14, [6, 26, 46, 66]),
        (32, [6, 34, 60, 86, 112, 138]), (36, [6, 24, 50, 76, 102, 128, 154]), (40, [6, 30, 58, 86, 114, 142, 170]),
    ])
    func alignmentCentres(version: Int, centres: [Int]) {
        #expect(QRVersion(version).alignmentCentres == centres)
    }

    @Test("The smallest version that holds the text is chosen", arguments: [
        (14, QRCode.ErrorCorrection.medium, 1), (15, .medium, 2), (26, .medium, 2), (27, .medium, 3),
        (42, .medium, 3), (43, .medium, 4), (62, .medium, 4), (63, .medium, 5), (64, .medium, 5),
        (17, .low, 1), (18, .low, 2), (64, .low, 4), (64, .quartile, 6), (7, .high, 1), (8, .high, 2), (64, .high, 7),
    ])
    func chosenVersion(length: Int, level: QRCode.ErrorCorrection, version: Int) throws {
        let code = try QRCode(String(repeating: "a", count: length), errorCorrection: level)
        #expect(code.version == version)
        #expect(code.size == 17 + 4 * version)
    }

    @Test("A typical card number fits version 1 at M, 2 at H")
    func typicalCard() throws {
        #expect(try QRCode("A1234567890123").version == 1)
        #expect(try QRCode("A1234567890123", errorCorrection: .high).version == 2)
    }

    // MARK: Format and version information

    /// The 32 format information strings of ISO/IEC 18004 annex C, table C.1, level by level, masks 0–7.
    @Test("Format information bits match the standard's table", arguments: [
        (QRCode.ErrorCorrection.low, ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
                                       "110011000101111", "110001100011000", "110110001000001", "110100101110110"]),
        (.medium, ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                   "100010111111001", "100000011001110", "100111110010111", "100101010100000"]),
        (.quartile, ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
                     "010010010110100", "010000110000011", "010111011011010", "010101111101101"]),
        (.high, ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
                 "000011101100010", "000001001010101", "000110100001100", "000100000111011"]),
    ])
    func formatInformation(level: QRCode.ErrorCorrection, strings: [String]) {
        for (mask, string) in strings.enumerated() {
            #expect(QRFormatInfo.bits(level: level, mask: mask) == Int(string, radix: 2), "mask \(mask)")
        }
    }

    @Test("Version information bits match the standard's annex D", arguments: [
        (7, 0x07C94), (8, 0x085BC), (9, 0x09A99), (10, 0x0A4D3), (21, 0x15683), (40, 0x28C69),
    ])
    func versionInformation(version: Int, bits: Int) {
        #expect(QRVersionInfo.bits(version: version) == bits)
    }

    // MARK: Symbol structure

    @Test("Finders, separators, timing patterns and the dark module sit where the standard puts them")
    func functionPatterns() throws {
        let code = try QRCode(CardNumberSamples.sixtyCharacters)
        let size = code.size
        let finder = [
            "1111111", "1000001", "1011101", "1011101", "1011101", "1000001", "1111111",
        ]
        for (left, top) in [(0, 0), (size - 7, 0), (0, size - 7)] {
            for (row, line) in finder.enumerated() {
                let drawn = String((0..<7).map { code.isDark(x: left + $0, y: top + row) ? "1" : "0" })
                #expect(drawn == line, "finder at (\(left), \(top)) row \(row)")
            }
        }
        for index in 0..<8 {
            #expect(!code.isDark(x: 7, y: index) && !code.isDark(x: index, y: 7), "top-left separator")
            #expect(!code.isDark(x: size - 8, y: index), "top-right separator")
            #expect(!code.isDark(x: index, y: size - 8), "bottom-left separator")
        }
        for index in 8..<(size - 8) {
            #expect(code.isDark(x: index, y: 6) == index.isMultiple(of: 2), "timing row at \(index)")
            #expect(code.isDark(x: 6, y: index) == index.isMultiple(of: 2), "timing column at \(index)")
        }
        #expect(code.isDark(x: 8, y: size - 8))
    }

    @Test("Both copies of the format information name the level and the chosen mask", arguments: QRCode.ErrorCorrection.allCases)
    func formatInformationInSymbol(level: QRCode.ErrorCorrection) throws {
        let code = try QRCode(CardNumberSamples.typical, errorCorrection: level)
        let size = code.size
        // Bit 14 first, as a reader reads them: around the top-left finder, then along the other two.
        let nearTopLeft: [(Int, Int)] = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8), (8, 7),
                                         (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)]
        let split: [(Int, Int)] = (0..<7).map { (8, size - 1 - $0) } + (0..<8).map { (size - 8 + $0, 8) }
        let expected = QRFormatInfo.bits(level: level, mask: code.mask)
        for positions in [nearTopLeft, split] {
            let read = positions.reduce(0) { $0 << 1 | (code.isDark(x: $1.0, y: $1.1) ? 1 : 0) }
            #expect(read == expected)
        }
    }

    @Test("Version 7 and up carry both version information blocks")
    func versionInformationInSymbol() throws {
        let code = try QRCode(CardNumberSamples.printableUpper, errorCorrection: .high)
        #expect(code.version == 7)
        let size = code.size
        var upperRight = 0
        var lowerLeft = 0
        for index in (0..<18).reversed() {
            upperRight = upperRight << 1 | (code.isDark(x: size - 11 + index % 3, y: index / 3) ? 1 : 0)
            lowerLeft = lowerLeft << 1 | (code.isDark(x: index / 3, y: size - 11 + index % 3) ? 1 : 0)
        }
        #expect(upperRight == 0x07C94)
        #expect(lowerLeft == 0x07C94)
    }

    // MARK: Masks and penalties

    @Test("N1: five same-coloured modules in a line score 3, each more adds 1")
    func penaltyRuns() {
        // Three light rows, and the light last column.
        #expect(QRPenalty.sameColourRuns(grid(["00000", "11110", "00000", "11110", "00000"])) == 3 * 3 + 3)
        // All light 5×5: every row and column is a run of five.
        #expect(QRPenalty.sameColourRuns(grid(Array(repeating: "00000", count: 5))) == 10 * 3)
        // A run of seven in one row (3 + 2); columns alternate, so nothing else scores.
        #expect(QRPenalty.sameColourRuns(grid(["1111111", "0101010", "1010101", "0101010", "1010101", "0101010", "1010101"])) == 5)
    }

    @Test("N2: every 2×2 block of one colour scores 3, overlapping blocks included")
    func penaltyBlocks() {
        #expect(QRPenalty.sameColourBlocks(grid(["110", "110", "000"])) == 3)
        #expect(QRPenalty.sameColourBlocks(grid(["000", "000", "111"])) == 3 + 3)
        #expect(QRPenalty.sameColourBlocks(grid(Array(repeating: "00000", count: 5))) == 16 * 3)
        #expect(QRPenalty.sameColourBlocks(grid(["0101", "1010", "0101", "1010"])) == 0)
    }

    @Test("N3: a 1:1:3:1:1 run with four light modules beside it scores 40, the edge counting as light")
    func penaltyFinderLookalikes() {
        let quiet = String(repeating: "0", count: 11)
        #expect(QRPenalty.finderLookalikes(grid(["00001011101"] + Array(repeating: quiet, count: 10))) == 40)
        #expect(QRPenalty.finderLookalikes(grid(["10111010000"] + Array(repeating: quiet, count: 10))) == 40)
        // Dark modules four away on both sides: not a look-alike.
        let fifteen = String(repeating: "0", count: 15)
        #expect(QRPenalty.finderLookalikes(grid(["100010111010001"] + Array(repeating: fifteen, count: 14))) == 0)
        #expect(QRPenalty.finderLookalikes(grid(["100010111010000"] + Array(repeating: fifteen, count: 14))) == 40)
        // Vertical lines count the same way.
        #expect(QRPenalty.finderLookalikes(grid(["00001011101"] + Array(repeating: quiet, count: 10)).transposed) == 40)
        #expect(QRPenalty.finderLookalikes(grid(["1011101"] + Array(repeating: "0000000", count: 6))) == 40)
        #expect(QRPenalty.finderLookalikes(grid(["1011011", "0000000", "0000000", "0000000", "0000000", "0000000", "0000000"])) == 0)
    }

    @Test("N4: 10 points for each full 5 % the dark share strays from 50 %")
    func penaltyDarkProportion() {
        func share(_ darkCount: Int) -> QRPenalty.Grid {
            let cells = (0..<100).map { $0 < darkCount }
            return QRPenalty.Grid(rows: (0..<10).map { Array(cells[($0 * 10)..<($0 * 10 + 10)]) })
        }
        #expect(QRPenalty.darkProportion(share(50)) == 0)
        #expect(QRPenalty.darkProportion(share(54)) == 0)
        #expect(QRPenalty.darkProportion(share(55)) == 10)
        #expect(QRPenalty.darkProportion(share(41)) == 10)
        #expect(QRPenalty.darkProportion(share(40)) == 20)
        #expect(QRPenalty.darkProportion(share(0)) == 100)
    }

    @Test("The mask chosen has the lowest penalty of the eight, ties going to the lower number")
    func maskChoice() throws {
        for text in CardNumberSamples.all {
            let chosen = try QRCode(text)
            let scores = try (0..<8).map { (mask: Int) in
                QRPenalty.score(QRPenalty.Grid(try QRCode(bytes: Array(text.utf8), errorCorrection: .medium, mask: mask)))
            }
            #expect(chosen.mask == scores.firstIndex(of: scores.min()!), "\(text): \(scores)")
            let forced = try QRCode(bytes: Array(text.utf8), errorCorrection: .medium, mask: chosen.mask)
            #expect(forced == chosen)
        }
    }

    @Test("Masks flip data modules by the standard's formulas and leave the timing patterns alone")
    func masksFlipDataModules() throws {
        let bytes = Array(CardNumberSamples.typical.utf8)
        let symbols = try (0..<8).map { (mask: Int) in try QRCode(bytes: bytes, errorCorrection: .medium, mask: mask) }
        #expect(symbols.allSatisfy { $0.version == 1 })
        // Written out from ISO/IEC 18004 table 10 (i = row, j = column), independently of QRMask.
        let conditions: [(Int, Int) -> Bool] = [
            { i, j in (i + j) % 2 == 0 }, { i, _ in i % 2 == 0 }, { _, j in j % 3 == 0 }, { i, j in (i + j) % 3 == 0 },
            { i, j in (i / 2 + j / 3) % 2 == 0 }, { i, j in (i * j) % 2 + (i * j) % 3 == 0 },
            { i, j in ((i * j) % 2 + (i * j) % 3) % 2 == 0 }, { i, j in ((i * j) % 3 + (i + j) % 2) % 2 == 0 },
        ]
        // In version 1 everything right of column 8 and below row 8 is data.
        for mask in 1..<8 {
            for y in 9..<21 {
                for x in 9..<21 {
                    let differs = symbols[mask].isDark(x: x, y: y) != symbols[0].isDark(x: x, y: y)
                    #expect(differs == (conditions[mask](y, x) != conditions[0](y, x)), "mask \(mask) at (\(x), \(y))")
                }
            }
            for index in 0..<21 {
                #expect(symbols[mask].isDark(x: index, y: 6) == symbols[0].isDark(x: index, y: 6))
                #expect(symbols[mask].isDark(x: 6, y: index) == symbols[0].isDark(x: 6, y: index))
            }
        }
    }

    // MARK: Rendering

    @Test("PNG and SVG include the 4-module quiet zone at the requested scale")
    func renderedSize() throws {
        let code = try QRCode(CardNumberSamples.typical)
        let side = (code.size + 8) * 8
        let png = code.png()
        #expect(readUInt32(png, at: 16) == UInt32(side))
        #expect(readUInt32(png, at: 20) == UInt32(side))
        #expect(readUInt32(code.png(scale: 3), at: 16) == UInt32((code.size + 8) * 3))
        let svg = code.svg()
        #expect(svg.contains(#"width="\#(side)" height="\#(side)" viewBox="0 0 \#(code.size + 8) \#(code.size + 8)""#))
        #expect(!svg.contains("preserveAspectRatio"))
        // The top-left finder's first row starts after the quiet zone.
        #expect(svg.contains(#"d="M4 4h7v1h-7z"#))
    }

    private func grid(_ rows: [String]) -> QRPenalty.Grid {
        QRPenalty.Grid(rows: rows.map { $0.map { $0 == "1" } })
    }
}

extension QRPenalty.Grid {
    init(_ code: QRCode) {
        self.init(rows: (0..<code.size).map { y in (0..<code.size).map { x in code.isDark(x: x, y: y) } })
    }

    var transposed: QRPenalty.Grid {
        QRPenalty.Grid(rows: (0..<size).map { x in rows.map { $0[x] } })
    }
}
