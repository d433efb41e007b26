/// Chooses code sets for a text and turns it into Code 128 symbol values, start to stop.
///
/// Code set B carries all of printable ASCII; code set C packs two digits into one symbol. The
/// encoder picks the shortest symbol sequence (a narrower barcode scans from further away) and,
/// among equally short ones, the one with fewest code set changes, starting in B on a tie.
enum Code128Encoder {
    enum CodeSet: Sendable { case b, c }

    /// Start, data, check symbol and stop, as symbol values.
    static func symbolValues(for bytes: [UInt8]) -> [Int] {
        let plan = cheapestCodeSets(bytes)
        var values = [plan.start == .b ? Code128Symbols.startB : Code128Symbols.startC]
        var current = plan.start
        var index = 0
        while index < bytes.count {
            let wanted = plan.codeSetAt[index]
            if wanted != current {
                values.append(wanted == .c ? Code128Symbols.codeC : Code128Symbols.codeB)
                current = wanted
            }
            switch current {
            case .b:
                values.append(Int(bytes[index]) - 32)
                index += 1
            case .c:
                values.append(digit(bytes[index])! * 10 + digit(bytes[index + 1])!)
                index += 2
            }
        }
        values.append(Code128Symbols.checksum(values))
        values.append(Code128Symbols.stop)
        return values
    }

    /// What encoding the rest of the text costs: symbols first, then code set changes.
    private struct Cost: Comparable {
        var symbols: Int
        var changes: Int

        static func < (lhs: Cost, rhs: Cost) -> Bool {
            (lhs.symbols, lhs.changes) < (rhs.symbols, rhs.changes)
        }

        static func + (lhs: Cost, rhs: Cost) -> Cost {
            Cost(symbols: lhs.symbols + rhs.symbols, changes: lhs.changes + rhs.changes)
        }
    }

    /// The code set each character is encoded in (for a digit pair in C, both digits say C).
    private struct Plan {
        var start: CodeSet
        var codeSetAt: [CodeSet]
    }

    /// Dynamic programming from the end of the text: the cheapest way to finish from each position in each code set.
    private static func cheapestCodeSets(_ bytes: [UInt8]) -> Plan {
        let count = bytes.count
        func isDigitPair(_ index: Int) -> Bool {
            index + 1 < count && digit(bytes[index]) != nil && digit(bytes[index + 1]) != nil
        }
        let unreachable = Cost(symbols: Int.max / 4, changes: 0)
        let symbol = Cost(symbols: 1, changes: 0)
        let change = Cost(symbols: 1, changes: 1)
        // finish[index][set]: the cost of encoding bytes[index...] when code set `set` is already active;
        // next[index][set]: the code set the character at `index` is encoded in from there.
        var finishB = [Cost](repeating: Cost(symbols: 0, changes: 0), count: count + 1)
        var finishC = finishB
        var nextFromB = [CodeSet](repeating: .b, count: count + 1)
        var nextFromC = [CodeSet](repeating: .c, count: count + 1)
        for index in stride(from: count - 1, through: 0, by: -1) {
            let inB = symbol + finishB[index + 1]
            let inC = isDigitPair(index) ? symbol + finishC[index + 2] : unreachable
            if change + inC < inB {
                (finishB[index], nextFromB[index]) = (change + inC, .c)
            } else {
                (finishB[index], nextFromB[index]) = (inB, .b)
            }
            if inC <= change + inB {
                (finishC[index], nextFromC[index]) = (inC, .c)
            } else {
                (finishC[index], nextFromC[index]) = (change + inB, .b)
            }
        }
        let start: CodeSet = isDigitPair(0) && finishC[0] < finishB[0] ? .c : .b
        var codeSetAt: [CodeSet] = []
        codeSetAt.reserveCapacity(count)
        var current = start
        var index = 0
        while index < count {
            current = current == .b ? nextFromB[index] : nextFromC[index]
            codeSetAt.append(current)
            if current == .c {
                codeSetAt.append(.c)
                index += 2
            } else {
                index += 1
            }
        }
        return Plan(start: start, codeSetAt: codeSetAt)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        (0x30...0x39).contains(byte) ? Int(byte - 0x30) : nil
    }
}
