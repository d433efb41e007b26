import Testing
@testable import CardBarcode

@Suite("Code 128")
struct Code128Tests {
    @Test("The symbol table has 107 distinct patterns of 11 modules (stop 13) with an even number of bar modules")
    func symbolTable() {
        let widths = Code128Symbols.widths
        #expect(widths.count == 107)
        #expect(Set(widths).count == 107)
        for (value, pattern) in widths.enumerated() {
            let elements = pattern.map { $0.wholeNumberValue! }
            #expect(elements.count == (value == 106 ? 7 : 6), "value \(value)")
            #expect(elements.reduce(0, +) == (value == 106 ? 13 : 11), "value \(value)")
            let barModules = elements.enumerated().filter { $0.offset.isMultiple(of: 2) }.map(\.element).reduce(0, +)
            #expect(barModules.isMultiple(of: 2), "value \(value)")
            #expect(elements.allSatisfy { (1...4).contains($0) }, "value \(value)")
        }
    }

    /// Bar patterns as printed in ISO/IEC 15417 table 1 (1 = bar module, 0 = space module).
    @Test("Start, stop and a few data symbols have the patterns of the standard's table", arguments: [
        (0, "11011001100"), (16, "10011101100"), (17, "10011100110"), (33, "10100011000"), (99, "10111011110"), (100, "10111101110"),
        (102, "11110101110"), (103, "11010000100"), (104, "11010010000"), (105, "11010011100"), (106, "1100011101011"),
    ])
    func knownPatterns(value: Int, pattern: String) {
        #expect(bits(Code128Symbols.modules(of: value)) == pattern)
    }

    @Test("Known encodings: values, code sets and mod-103 check symbols worked out by hand", arguments: [
        // Start B 104; P 48, J 42, J 42, 1 17, 2 18, 3 19, C 35; 104+48+84+126+68+90+114+245 = 879 ≡ 55.
        ("PJJ123C", [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]),
        // A then 13 digits: one digit in B, then C for six pairs; 104+33+34+297+92+225+402+623+8+207 = 2025 ≡ 68.
        ("A1234567890123", [104, 33, 17, 99, 23, 45, 67, 89, 1, 23, 68, 106]),
        // All digits, even: Start C; 105+12+68+168+312+450 = 1115 ≡ 85.
        ("1234567890", [105, 12, 34, 56, 78, 90, 85, 106]),
        // Four digits at the end save a symbol: 104+33+68+297+48+170 = 720 ≡ 102.
        ("AB1234", [104, 33, 34, 99, 12, 34, 102, 106]),
        // Six digits in the middle save a symbol even paying for the switch back: 1625 ≡ 80.
        ("A123456B", [104, 33, 99, 12, 34, 56, 100, 34, 80, 106]),
        // Four digits in the middle cost the same either way, so B is kept: 104+33+34+54+76+100+204 = 605 ≡ 90.
        ("A1234B", [104, 33, 17, 18, 19, 20, 34, 90, 106]),
        // Five digits: as short to start in B and switch after one digit as to start in C; B wins the tie. 568 ≡ 53.
        ("12345", [104, 17, 99, 23, 45, 53, 106]),
        ("12", [105, 12, 14, 106]),
        ("1", [104, 17, 18, 106]),
        // Space is value 0, tilde 94: 104+0+188 = 292 ≡ 86.
        (" ~", [104, 0, 94, 86, 106]),
    ])
    func knownEncodings(text: String, values: [Int]) throws {
        #expect(try Code128(text).symbolValues == values)
    }

    @Test("Modules: 10 light, the symbols' patterns in order, the stop, 10 light")
    func moduleLayout() throws {
        let code = try Code128("A1234567890123")
        let expected = [Bool](repeating: false, count: 10)
            + code.symbolValues.flatMap(Code128Symbols.modules(of:))
            + [Bool](repeating: false, count: 10)
        #expect(code.modules == expected)
        #expect(code.modules.count == 20 + 11 * (code.symbolValues.count - 1) + 13)
        #expect(bits(Array(code.modules[10..<21])) == "11010010000")
        #expect(bits(Array(code.modules.suffix(23).prefix(13))) == "1100011101011")
    }

    @Test("Seeded random card numbers decode back from their symbol values, no longer than all-B")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 128)
        let alphabets = ["0123456789", "0123456789AB", Array(0x20...0x7E).map { String(UnicodeScalar(UInt8($0))) }.joined()]
        for _ in 0..<2_000 {
            let alphabet = Array(alphabets.randomElement(using: &generator)!)
            let length = Int.random(in: 1...64, using: &generator)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let values = try Code128(text).symbolValues
            #expect(decode(values) == text, "\(text) → \(values)")
            #expect(values.count <= text.count + 3, "\(text) is longer than in code set B alone")
            #expect(Code128Symbols.checksum(Array(values.dropLast(2))) == values[values.count - 2])
        }
    }

    @Test("Digit runs use the fewest symbols: ⌈n/2⌉ data symbols plus at most two switches")
    func digitRunsAreShort() throws {
        for length in 2...64 {
            let digits = String((0..<length).map { Character(String($0 % 10)) })
            let dataSymbols = try Code128(digits).symbolValues.count - 3
            // All digits: pairs in C, and an odd last digit costs a switch to B plus the digit.
            #expect(dataSymbols == length / 2 + (length.isMultiple(of: 2) ? 0 : 2), "\(length) digits")
        }
    }

    @Test("PNG is moduleWidth × modules wide and the bar height tall; SVG is the same size and stretches")
    func renderedSize() throws {
        let code = try Code128("A1234567890123")
        let png = code.png()
        #expect(readUInt32(png, at: 16) == UInt32(code.modules.count * 3))
        #expect(readUInt32(png, at: 20) == 120)
        let larger = code.png(moduleWidth: 4, height: 200)
        #expect(readUInt32(larger, at: 16) == UInt32(code.modules.count * 4))
        #expect(readUInt32(larger, at: 20) == 200)
        let svg = code.svg()
        #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg""#))
        #expect(svg.contains(#"width="\#(code.modules.count * 3)" height="120""#))
        #expect(svg.contains(#"viewBox="0 0 \#(code.modules.count) 1" preserveAspectRatio="none""#))
        #expect(svg.contains(#"shape-rendering="crispEdges""#))
        #expect(svg.components(separatedBy: "<path").count == 2)
    }

    /// A reader of symbol values written for this test: start code, switches, data, check and stop.
    private func decode(_ values: [Int]) -> String? {
        guard values.count >= 3, values.last == 106, [104, 105].contains(values[0]) else { return nil }
        var inC = values[0] == 105
        var text = ""
        for value in values.dropFirst().dropLast(2) {
            switch (inC, value) {
            case (false, 99): inC = true
            case (true, 100): inC = false
            case (true, 0..<100): text += value < 10 ? "0\(value)" : "\(value)"
            case (false, 0..<95): text.append(Character(UnicodeScalar(UInt8(value + 32))))
            default: return nil
            }
        }
        return text
    }

    private func bits(_ modules: [Bool]) -> String {
        String(modules.map { $0 ? "1" : "0" })
    }
}

func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}
