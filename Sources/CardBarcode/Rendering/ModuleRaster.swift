/// A barcode as both renderers see it: a grid of dark and light cells, each `cellWidth × cellHeight` pixels.
///
/// Code 128 is one row of tall cells, a QR code a square of square ones; quiet zones are already included.
struct ModuleRaster: Sendable {
    let columns: Int
    let rows: Int
    let cellWidth: Int
    let cellHeight: Int
    /// Row-major, `columns × rows`.
    let dark: [Bool]

    var pixelWidth: Int { columns * cellWidth }
    var pixelHeight: Int { rows * cellHeight }

    func isDark(column: Int, row: Int) -> Bool {
        dark[row * columns + column]
    }
}
