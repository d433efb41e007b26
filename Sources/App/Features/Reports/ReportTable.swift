/// One report's figures as a table: beside its chart on the page, and the whole of its xlsx or csv download,
/// so what is drawn, what is read and what is downloaded are the same numbers.
struct ReportTable: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        /// As shown on the page and written to csv.
        let text: String
        /// Written to xlsx as a number, so a spreadsheet can sum it; nil: text (a day, a name, "—").
        let number: Double?

        static func text(_ text: String) -> Cell { Cell(text: text, number: nil) }
        static func count(_ n: Int) -> Cell { Cell(text: String(n), number: Double(n)) }
        /// One decimal, as shown; the spreadsheet gets the same rounded value.
        static func decimal(_ value: Double?) -> Cell {
            guard let value else { return .text("—") }
            let rounded = (value * 10).rounded() / 10
            return Cell(text: String(format: "%.1f", rounded), number: rounded)
        }
        /// A share as a percentage with one decimal.
        static func percent(_ share: Double?) -> Cell {
            guard let share else { return .text("—") }
            let rounded = (share * 1000).rounded() / 10
            return Cell(text: String(format: "%.1f%%", rounded), number: rounded)
        }
    }

    let id: String
    let title: String
    let columns: [String]
    /// The first cell of each row names it (a day, a queue, a service level).
    let rows: [[Cell]]
}
