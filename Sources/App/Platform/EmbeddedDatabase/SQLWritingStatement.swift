import SQLKit

/// A statement that writes, known by its type: the embedded database sends it to the writer without
/// serializing it first to read its first word (for a 1,000-row INSERT that was a second serialization
/// of 19,000 bound values; issue #13 item 6).
protocol SQLWritingStatement: SQLExpression {}
