/// The mask evaluation of ISO/IEC 18004 §7.8.3: the lower the score, the easier the symbol is to read.
///
/// Modules outside the symbol count as light, as the quiet zone is.
enum QRPenalty {
    static func score(_ matrix: QRMatrix) -> Int {
        score(Grid(matrix))
    }

    static func score(_ grid: Grid) -> Int {
        sameColourRuns(grid) + sameColourBlocks(grid) + finderLookalikes(grid) + darkProportion(grid)
    }

    /// N1: 3 points for each run of five same-coloured modules in a row or column, plus 1 per module beyond five.
    static func sameColourRuns(_ grid: Grid) -> Int {
        var score = 0
        for line in grid.lines {
            var runLength = 1
            for index in 1...line.count {
                if index < line.count, line[index] == line[index - 1] {
                    runLength += 1
                    continue
                }
                if runLength >= 5 { score += 3 + (runLength - 5) }
                runLength = 1
            }
        }
        return score
    }

    /// N2: 3 points for each 2×2 block of one colour (overlapping blocks each count).
    static func sameColourBlocks(_ grid: Grid) -> Int {
        var score = 0
        for y in 0..<(grid.size - 1) {
            for x in 0..<(grid.size - 1) {
                let colour = grid[x, y]
                if grid[x + 1, y] == colour, grid[x, y + 1] == colour, grid[x + 1, y + 1] == colour {
                    score += 3
                }
            }
        }
        return score
    }

    /// N3: 40 points for each dark–light–dark×3–light–dark (1:1:3:1:1) run with four light modules on
    /// either side, which a reader could take for a finder pattern.
    static func finderLookalikes(_ grid: Grid) -> Int {
        let pattern = [true, false, true, true, true, false, true]
        var count = 0
        for line in grid.lines {
            for start in 0..<max(0, line.count - 6) where (0..<7).allSatisfy({ line[start + $0] == pattern[$0] }) {
                let lightBefore = (max(0, start - 4)..<start).allSatisfy { !line[$0] }
                let lightAfter = ((start + 7)..<min(line.count, start + 11)).allSatisfy { !line[$0] }
                if lightBefore || lightAfter { count += 1 }
            }
        }
        return count * 40
    }

    /// N4: 10 points for each full 5 % the dark share strays from half.
    static func darkProportion(_ grid: Grid) -> Int {
        let total = grid.size * grid.size
        let dark = grid.rows.reduce(0) { $0 + $1.lazy.filter { $0 }.count }
        return abs(dark * 2 - total) * 10 / total * 10
    }

    /// Rows and columns of a square module grid, so each rule reads lines the same way in both directions.
    struct Grid {
        let size: Int
        let rows: [[Bool]]

        init(_ matrix: QRMatrix) {
            self.init(rows: (0..<matrix.size).map { y in (0..<matrix.size).map { x in matrix.isDark(x: x, y: y) } })
        }

        init(rows: [[Bool]]) {
            precondition(rows.allSatisfy { $0.count == rows.count }, "A QR grid is square")
            size = rows.count
            self.rows = rows
        }

        subscript(x: Int, y: Int) -> Bool { rows[y][x] }

        var lines: [[Bool]] {
            rows + (0..<size).map { x in rows.map { $0[x] } }
        }
    }
}
