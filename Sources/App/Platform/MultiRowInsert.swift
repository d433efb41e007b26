import SQLKit

/// `INSERT INTO table (columns) VALUES (…), (…), …` with every value bound, for writers of many rows at
/// once (a group batch's cards). SQLKit's `insert(into:).rows(_:)` wraps each value in an `SQLBind` and
/// walks nested lists of expressions to serialize them: for 1,000 rows of 19 values that was a tenth of
/// a 50,000-card import (issue #13 item 6). This writes the same statement in one pass.
struct MultiRowInsert<Rows: Collection & Sendable>: SQLWritingStatement where Rows.Element == [any Encodable & Sendable] {
    let table: String
    let columns: [String]
    let rows: Rows

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("INSERT INTO ")
        SQLIdentifier(table).serialize(to: &serializer)
        serializer.write(" (")
        for (index, column) in columns.enumerated() {
            if index > 0 { serializer.write(", ") }
            SQLIdentifier(column).serialize(to: &serializer)
        }
        serializer.write(") VALUES ")
        serializer.binds.reserveCapacity(serializer.binds.count + rows.count * columns.count)
        for (rowIndex, row) in rows.enumerated() {
            precondition(row.count == columns.count, "a row of \(row.count) values for \(columns.count) columns")
            serializer.write(rowIndex == 0 ? "(" : ", (")
            for (index, value) in row.enumerated() {
                if index > 0 { serializer.write(", ") }
                serializer.write(bind: value)
            }
            serializer.write(")")
        }
    }
}
