/// The tokens of PDF's object syntax (ISO 32000-1 §7.2), enough to see every dictionary of a file.
struct PDFLexer {
    enum Token: Equatable {
        case name(String)
        case integer(Int)
        /// Any other run of regular characters: reals, `true`, `null`, `obj`, `R`, `stream`, `xref`…
        case keyword(String)
        case string
        case dictionaryStart
        case dictionaryEnd
        case arrayStart
        case arrayEnd
        case brace
    }

    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], from start: Int = 0) {
        self.bytes = bytes
        self.position = start
    }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C || byte == 0x00
    }

    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "/"), UInt8(ascii: "%"):
            true
        default:
            false
        }
    }

    static func isRegular(_ byte: UInt8) -> Bool { !isWhitespace(byte) && !isDelimiter(byte) }

    private func failure(_ offset: Int, _ reason: String) -> UploadRejection {
        .malformed(offset: offset, reason: reason)
    }

    /// The next token and where it starts, or `nil` at the end.
    mutating func next() throws(UploadRejection) -> (token: Token, offset: Int)? {
        while position < bytes.count {
            let byte = bytes[position]
            if PDFLexer.isWhitespace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "%") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                break
            }
        }
        guard position < bytes.count else { return nil }
        let start = position
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "/"):
            var name: [UInt8] = []
            while position < bytes.count, PDFLexer.isRegular(bytes[position]) {
                if bytes[position] == UInt8(ascii: "#"), position + 2 < bytes.count,
                    let high = PDFLexer.hexValue(bytes[position + 1]), let low = PDFLexer.hexValue(bytes[position + 2])
                {
                    name.append(high << 4 | low)
                    position += 3
                } else {
                    name.append(bytes[position])
                    position += 1
                }
            }
            return (.name(String(decoding: name, as: UTF8.self)), start)
        case UInt8(ascii: "("):
            var depth = 1
            while depth > 0 {
                guard position < bytes.count else { throw failure(start, "a string that is never closed") }
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 1
                case UInt8(ascii: "("): depth += 1
                case UInt8(ascii: ")"): depth -= 1
                default: break
                }
                position += 1
            }
            return (.string, start)
        case UInt8(ascii: "<"):
            if position < bytes.count, bytes[position] == UInt8(ascii: "<") {
                position += 1
                return (.dictionaryStart, start)
            }
            while true {
                guard position < bytes.count else { throw failure(start, "a hex string that is never closed") }
                let digit = bytes[position]
                position += 1
                if digit == UInt8(ascii: ">") { break }
                guard PDFLexer.hexValue(digit) != nil || PDFLexer.isWhitespace(digit) else {
                    throw failure(position - 1, "a hex string with a character that is not a hex digit")
                }
            }
            return (.string, start)
        case UInt8(ascii: ">"):
            guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else {
                throw failure(start, "a single '>' outside a hex string")
            }
            position += 1
            return (.dictionaryEnd, start)
        case UInt8(ascii: "["):
            return (.arrayStart, start)
        case UInt8(ascii: "]"):
            return (.arrayEnd, start)
        case UInt8(ascii: "{"), UInt8(ascii: "}"):
            return (.brace, start)
        case UInt8(ascii: ")"):
            throw failure(start, "a ')' outside a string")
        default:
            while position < bytes.count, PDFLexer.isRegular(bytes[position]) { position += 1 }
            let run = bytes[start..<position]
            if run.count <= 18, let value = Int(String(decoding: run, as: UTF8.self)) {
                return (.integer(value), start)
            }
            return (.keyword(String(decoding: run.prefix(32), as: UTF8.self)), start)
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
