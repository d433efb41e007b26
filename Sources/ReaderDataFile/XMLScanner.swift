import Foundation

/// A small streaming tokenizer for the XML inside spreadsheet packages.
///
/// It is not a general XML parser: it only splits bytes into start tags, end tags and text, which is
/// all the sheet, shared-strings and content files need, and it is several times faster than
/// Foundation's XMLParser on Linux. Token positions are byte ranges into the buffer handed to the
/// handler, valid only during the call. Any document type declaration (`<!DOCTYPE`, `<!ENTITY`, …)
/// is refused, so entity expansion attacks cannot happen; only the five predefined entities and
/// character references are decoded (see `XMLText`).
struct XMLScanner {
    enum Token {
        case start(name: Range<Int>, attributes: Range<Int>, selfClosing: Bool)
        case end(name: Range<Int>)
        /// Character data between tags, entities still encoded.
        case text(Range<Int>)
        /// The contents of a CDATA section, taken literally.
        case cdata(Range<Int>)
    }

    typealias Handler = (Token, UnsafeBufferPointer<UInt8>) throws -> Void

    private var buffer: [UInt8] = []
    private var position = 0
    private var sawFirstBytes = false
    /// The longest single token (a tag or a text run) accepted; a longer one means a malformed or hostile file.
    let maximumTokenBytes: Int

    init(maximumTokenBytes: Int = 8 << 20) {
        self.maximumTokenBytes = maximumTokenBytes
    }

    /// Scans a whole document held in memory.
    static func scan(_ bytes: [UInt8], handler: Handler) throws {
        var scanner = XMLScanner(maximumTokenBytes: max(bytes.count + 1, 1 << 20))
        try scanner.feed(bytes, handler: handler)
        try scanner.finish(handler: handler)
    }

    /// Adds bytes and hands over every token that is now complete.
    mutating func feed<Bytes: Collection>(_ bytes: Bytes, handler: Handler) throws where Bytes.Element == UInt8 {
        buffer.append(contentsOf: bytes)
        if !sawFirstBytes {
            guard buffer.count >= 3 else { return }
            sawFirstBytes = true
            if buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                position = 3
            } else if buffer[0] == 0xFF || buffer[0] == 0xFE || buffer[0] == 0x00 || buffer[1] == 0x00 {
                throw ReaderDataFileError.xmlMalformed("UTF-16 XML is not supported")
            }
        }
        try drain(final: false, handler: handler)
    }

    /// Hands over what is left at the end of the document; an unfinished tag is an error.
    mutating func finish(handler: Handler) throws {
        sawFirstBytes = true
        try drain(final: true, handler: handler)
    }

    private mutating func drain(final: Bool, handler: Handler) throws {
        let consumed: Int = try buffer.withUnsafeBufferPointer { bytes in
            try Self.tokenize(bytes, from: position, final: final, handler: handler)
        }
        let pending = buffer.count - consumed
        if final, pending > 0 {
            throw ReaderDataFileError.xmlMalformed("the XML ends inside a tag")
        }
        if pending > maximumTokenBytes {
            throw ReaderDataFileError.xmlMalformed("a single XML token is longer than \(maximumTokenBytes) bytes")
        }
        if consumed > 0 {
            if consumed == buffer.count {
                buffer.removeAll(keepingCapacity: true)
            } else {
                buffer.removeSubrange(0..<consumed)
            }
        }
        position = 0
    }

    /// Returns the position up to which tokens were complete.
    private static func tokenize(_ p: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool, handler: Handler) throws -> Int {
        let n = p.count
        var pos = start
        while pos < n {
            if p[pos] != lessThan {
                guard let next = find(lessThan, in: p, from: pos) else {
                    if final {
                        try handler(.text(pos..<n), p)
                        return n
                    }
                    return pos
                }
                try handler(.text(pos..<next), p)
                pos = next
                continue
            }
            guard pos + 1 < n else { return pos }
            let second = p[pos + 1]
            if second == slash {
                guard let close = find(greaterThan, in: p, from: pos + 2) else { return pos }
                var nameEnd = pos + 2
                while nameEnd < close, !isSpace(p[nameEnd]) { nameEnd += 1 }
                try handler(.end(name: (pos + 2)..<nameEnd), p)
                pos = close + 1
            } else if second == question {
                guard let close = find(sequence: questionGreater, in: p, from: pos + 2) else { return pos }
                pos = close + 2
            } else if second == exclamation {
                if startsWith(commentOpen, in: p, at: pos) {
                    guard let close = find(sequence: commentClose, in: p, from: pos + 4) else { return pos }
                    pos = close + 3
                } else if startsWith(cdataOpen, in: p, at: pos) {
                    guard let close = find(sequence: cdataClose, in: p, from: pos + 9) else { return pos }
                    try handler(.cdata((pos + 9)..<close), p)
                    pos = close + 3
                } else if n - pos < cdataOpen.count, !final,
                          isPrefix(of: commentOpen, in: p, at: pos) || isPrefix(of: cdataOpen, in: p, at: pos) {
                    return pos
                } else {
                    // <!DOCTYPE, <!ENTITY, <!ELEMENT …: never needed by a spreadsheet, the door to entity bombs.
                    throw ReaderDataFileError.xmlDoctype
                }
            } else {
                var nameEnd = pos + 1
                while nameEnd < n, !isSpace(p[nameEnd]), p[nameEnd] != slash, p[nameEnd] != greaterThan { nameEnd += 1 }
                // Find the closing '>' outside quoted attribute values.
                var index = nameEnd
                var quote: UInt8 = 0
                var close = -1
                while index < n {
                    let byte = p[index]
                    if quote != 0 {
                        if byte == quote { quote = 0 }
                    } else if byte == doubleQuote || byte == singleQuote {
                        quote = byte
                    } else if byte == greaterThan {
                        close = index
                        break
                    } else if byte == lessThan {
                        throw ReaderDataFileError.xmlMalformed("'<' inside a tag")
                    }
                    index += 1
                }
                guard close >= 0 else { return pos }
                let selfClosing = close > nameEnd && p[close - 1] == slash
                let attributesEnd = selfClosing ? close - 1 : close
                guard nameEnd > pos + 1 else { throw ReaderDataFileError.xmlMalformed("a tag without a name") }
                try handler(.start(name: (pos + 1)..<nameEnd, attributes: nameEnd..<max(nameEnd, attributesEnd), selfClosing: selfClosing), p)
                pos = close + 1
            }
        }
        return pos
    }

    // MARK: Byte helpers

    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let slash = UInt8(ascii: "/")
    static let question = UInt8(ascii: "?")
    static let exclamation = UInt8(ascii: "!")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let questionGreater: [UInt8] = Array("?>".utf8)
    static let commentOpen: [UInt8] = Array("<!--".utf8)
    static let commentClose: [UInt8] = Array("-->".utf8)
    static let cdataOpen: [UInt8] = Array("<![CDATA[".utf8)
    static let cdataClose: [UInt8] = Array("]]>".utf8)

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    static func find(_ byte: UInt8, in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < p.count, let base = p.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), p.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    static func find(sequence: [UInt8], in p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while let candidate = find(sequence[0], in: p, from: index) {
            if candidate + sequence.count > p.count { return nil }
            if startsWith(sequence, in: p, at: candidate) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    static func startsWith(_ sequence: [UInt8], in p: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start + sequence.count <= p.count else { return false }
        for offset in 0..<sequence.count where p[start + offset] != sequence[offset] { return false }
        return true
    }

    /// Whether the bytes from `start` to the end are a prefix of `sequence` (so more data may complete it).
    static func isPrefix(of sequence: [UInt8], in p: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        let available = min(p.count - start, sequence.count)
        for offset in 0..<available where p[start + offset] != sequence[offset] { return false }
        return true
    }
}

/// Reading names, attributes and text out of scanner tokens.
enum XMLText {
    /// The part of a qualified name after its prefix (`table:table-row` → `table-row`).
    @inline(__always)
    static func localName(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var index = range.upperBound - 1
        while index >= range.lowerBound {
            if p[index] == UInt8(ascii: ":") { return (index + 1)..<range.upperBound }
            index -= 1
        }
        return range
    }

    /// Whether the bytes in `range` spell `literal` (ASCII).
    @inline(__always)
    static func equals(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count else { return false }
        let start = literal.utf8Start
        for offset in 0..<count where p[range.lowerBound + offset] != start[offset] { return false }
        return true
    }

    /// Whether a qualified name's local part is `literal`.
    @inline(__always)
    static func isLocal(_ p: UnsafeBufferPointer<UInt8>, _ name: Range<Int>, _ literal: StaticString) -> Bool {
        equals(p, localName(p, name), literal)
    }

    /// The raw (still entity-encoded) value of the first attribute whose local name is `localName`.
    static func attribute(_ p: UnsafeBufferPointer<UInt8>, _ attributes: Range<Int>, _ localName: StaticString) -> Range<Int>? {
        var index = attributes.lowerBound
        let end = attributes.upperBound
        while index < end {
            while index < end, XMLScanner.isSpace(p[index]) { index += 1 }
            let nameStart = index
            while index < end, p[index] != UInt8(ascii: "="), !XMLScanner.isSpace(p[index]) { index += 1 }
            let name = nameStart..<index
            while index < end, p[index] != UInt8(ascii: "=") { index += 1 }
            index += 1
            while index < end, XMLScanner.isSpace(p[index]) { index += 1 }
            guard index < end else { return nil }
            let quote = p[index]
            guard quote == XMLScanner.doubleQuote || quote == XMLScanner.singleQuote else { return nil }
            let valueStart = index + 1
            var valueEnd = valueStart
            while valueEnd < end, p[valueEnd] != quote { valueEnd += 1 }
            if !name.isEmpty, equals(p, XMLText.localName(p, name), localName) {
                return valueStart..<valueEnd
            }
            index = valueEnd + 1
        }
        return nil
    }

    /// An attribute's value with entities decoded.
    static func attributeString(_ p: UnsafeBufferPointer<UInt8>, _ attributes: Range<Int>, _ localName: StaticString) -> String? {
        guard let range = attribute(p, attributes, localName) else { return nil }
        var bytes: [UInt8] = []
        appendDecoded(p, range, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A non-negative decimal integer attribute.
    static func attributeInt(_ p: UnsafeBufferPointer<UInt8>, _ attributes: Range<Int>, _ localName: StaticString) -> Int? {
        guard let range = attribute(p, attributes, localName) else { return nil }
        return integer(p, range)
    }

    /// Parses ASCII digits (surrounding spaces allowed); nil for anything else or an absurd length.
    static func integer(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, XMLScanner.isSpace(p[lower]) { lower += 1 }
        while upper > lower, XMLScanner.isSpace(p[upper - 1]) { upper -= 1 }
        guard lower < upper, upper - lower <= 18 else { return nil }
        var value = 0
        for index in lower..<upper {
            let digit = p[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    /// Appends the text in `range`, decoding the predefined entities and character references.
    /// An unknown entity is kept as written.
    static func appendDecoded(_ p: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, to output: inout [UInt8]) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            guard let amp = XMLScanner.find(UInt8(ascii: "&"), in: UnsafeBufferPointer(rebasing: p[..<end]), from: index) else {
                output.append(contentsOf: p[index..<end])
                return
            }
            if amp > index { output.append(contentsOf: p[index..<amp]) }
            var semicolon = amp + 1
            while semicolon < end, semicolon - amp <= 12, p[semicolon] != UInt8(ascii: ";") { semicolon += 1 }
            guard semicolon < end, p[semicolon] == UInt8(ascii: ";"),
                  let scalar = entity(p, (amp + 1)..<semicolon) else {
                output.append(UInt8(ascii: "&"))
                index = amp + 1
                continue
            }
            appendUTF8(scalar, to: &output)
            index = semicolon + 1
        }
    }

    private static func entity(_ p: UnsafeBufferPointer<UInt8>, _ name: Range<Int>) -> Unicode.Scalar? {
        if equals(p, name, "amp") { return "&" }
        if equals(p, name, "lt") { return "<" }
        if equals(p, name, "gt") { return ">" }
        if equals(p, name, "quot") { return "\"" }
        if equals(p, name, "apos") { return "'" }
        guard name.count >= 2, p[name.lowerBound] == UInt8(ascii: "#") else { return nil }
        var value: UInt32 = 0
        if p[name.lowerBound + 1] == UInt8(ascii: "x") || p[name.lowerBound + 1] == UInt8(ascii: "X") {
            guard name.count >= 3 else { return nil }
            for index in (name.lowerBound + 2)..<name.upperBound {
                let byte = p[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value * 16 + digit
                if value > 0x10FFFF { return nil }
            }
        } else {
            for index in (name.lowerBound + 1)..<name.upperBound {
                let digit = p[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + UInt32(digit)
                if value > 0x10FFFF { return nil }
            }
        }
        return Unicode.Scalar(value)
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, to output: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (value >> 6)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (value >> 12)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        default:
            output.append(UInt8(0xF0 | (value >> 18)))
            output.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    /// Office Open XML escapes characters XML cannot carry as `_xHHHH_` (e.g. `_x000D_` for a carriage return).
    static func unescapeOOXML(_ text: String) -> String {
        guard text.containsBytes("_x") else { return text }
        var result = ""
        var scalars = Array(text.unicodeScalars)[...]
        while let first = scalars.first {
            if first == "_", scalars.count >= 7,
               scalars[scalars.startIndex + 1] == "x",
               scalars[scalars.startIndex + 6] == "_" {
                let hex = String(String.UnicodeScalarView(scalars[(scalars.startIndex + 2)..<(scalars.startIndex + 6)]))
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                    scalars = scalars.dropFirst(7)
                    continue
                }
            }
            result.unicodeScalars.append(first)
            scalars = scalars.dropFirst()
        }
        return result
    }
}
