/// The eight data masks (ISO/IEC 18004 table 10); a module is flipped where the condition holds.
struct QRMask: Sendable, Hashable {
    static let all = (0..<8).map(QRMask.init)

    let number: Int

    init(_ number: Int) {
        precondition((0..<8).contains(number), "QR mask must be within 0...7, got \(number)")
        self.number = number
    }

    /// `row` is i and `column` is j in the standard's formulas.
    func flips(row: Int, column: Int) -> Bool {
        switch number {
        case 0: (row + column) % 2 == 0
        case 1: row % 2 == 0
        case 2: column % 3 == 0
        case 3: (row + column) % 3 == 0
        case 4: (row / 2 + column / 3) % 2 == 0
        case 5: (row * column) % 2 + (row * column) % 3 == 0
        case 6: ((row * column) % 2 + (row * column) % 3) % 2 == 0
        default: ((row + column) % 2 + (row * column) % 3) % 2 == 0
        }
    }
}
