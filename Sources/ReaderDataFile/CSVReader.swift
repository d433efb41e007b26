import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV (or tab-separated) text: UTF-8 with or without BOM, Big5 (CP950) as Excel in Taiwan
/// saves it, or UTF-16 with BOM (Excel's "Unicode text").
///
/// Parsing works on bytes: in UTF-8 and in Big5 the delimiter, quote and line-break bytes never occur
/// inside a multi-byte character, so fields are split first and each field is decoded on its own.
/// The file is read twice in chunks (once to tell UTF-8 from Big5, once to parse), so memory stays
/// bounded by the longest record.
struct CSVReader {
    enum Encoding { case utf8, cp950 }

    let source: InputSource

    func read(into consumer: inout some RowConsumer) throws {
        let head = try source.prefix(4)
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            // UTF-16 is not byte-compatible with the parser: convert it whole (the file size is already bounded).
            guard let text = String(data: try source.readAll(), encoding: .utf16) else {
                throw ReaderDataFileError.csvEncoding
            }
            try parse(InputSource.data(Data(text.utf8)), encoding: .utf8, into: &consumer)
            return
        }
        try parse(source, encoding: try detectEncoding(), into: &consumer)
    }

    /// UTF-8 when every byte sequence is valid UTF-8, else CP950.
    private func detectEncoding() throws -> Encoding {
        var validator = UTF8Validator()
        var valid = true
        try source.forEachChunk { chunk in
            if !validator.feed(chunk) {
                valid = false
                throw StopReading()
            }
        }
        return valid && validator.isComplete ? .utf8 : .cp950
    }

    private func parse(_ input: InputSource, encoding: Encoding, into consumer: inout some RowConsumer) throws {
        let decoder: CP950Decoder?
        if encoding == .cp950 {
            guard let cp950 = CP950Decoder() else { throw ReaderDataFileError.csvEncoding }
            decoder = cp950
        } else {
            decoder = nil
        }
        var parser = CSVParser(delimiter: try detectDelimiter(input))
        consumer.beginSheet(named: "")
        var stopped = false
        func emit(_ record: CSVParser.Record) throws {
            guard !stopped else { return }
            var cells: [SheetCell] = []
            for (index, field) in record.fields.enumerated() where !field.isEmpty {
                let text: String
                if let decoder, field.contains(where: { $0 >= 0x80 }) {
                    guard let decoded = decoder.decode(field) else { throw ReaderDataFileError.csvEncoding }
                    text = decoded
                } else {
                    text = String(decoding: field, as: UTF8.self)
                }
                cells.append(SheetCell(column: index, value: .text(text)))
            }
            guard !cells.isEmpty else { return }
            if try consumer.consume(SheetRow(number: record.number, cells: cells)) == .skipSheet {
                stopped = true
                throw StopReading()
            }
        }
        var first = true
        try input.forEachChunk { chunk in
            var bytes = chunk[...]
            if first {
                first = false
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            }
            try parser.feed(bytes, emit)
        }
        if !stopped {
            do {
                try parser.finish(emit)
            } catch is StopReading {}
        }
        _ = try consumer.endSheet()
    }

    /// The delimiter that occurs most often outside quotes in the first lines: comma, tab or semicolon.
    private func detectDelimiter(_ input: InputSource) throws -> UInt8 {
        let sample = try input.prefix(64 << 10)
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: "\t"): 0, UInt8(ascii: ";"): 0]
        var inQuotes = false
        var lines = 0
        for byte in sample {
            if byte == UInt8(ascii: "\"") { inQuotes.toggle(); continue }
            if inQuotes { continue }
            if byte == 0x0A {
                lines += 1
                if lines >= 30 { break }
            }
            if counts[byte] != nil { counts[byte]! += 1 }
        }
        let comma = counts[UInt8(ascii: ",")]!
        let tab = counts[UInt8(ascii: "\t")]!
        let semicolon = counts[UInt8(ascii: ";")]!
        if tab > comma, tab >= semicolon { return UInt8(ascii: "\t") }
        if semicolon > comma, semicolon > tab { return UInt8(ascii: ";") }
        return UInt8(ascii: ",")
    }
}

/// An RFC 4180 parser over bytes, tolerant of stray quotes inside unquoted fields.
struct CSVParser {
    struct Record {
        /// 1-based record number: the row number a spreadsheet program shows (a quoted line break stays in its row).
        var number: Int
        var fields: [[UInt8]]
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    let delimiter: UInt8
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var record = Record(number: 1, fields: [])
    private var afterCarriageReturn = false
    private var recordHasContent = false

    init(delimiter: UInt8) {
        self.delimiter = delimiter
    }

    mutating func feed(_ bytes: Data.SubSequence, _ emit: (Record) throws -> Void) throws {
        try bytes.withUnsafeBytes { raw in try feed(raw.bindMemory(to: UInt8.self), emit) }
    }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ emit: (Record) throws -> Void) throws {
        for byte in bytes {
            if afterCarriageReturn {
                afterCarriageReturn = false
                if byte == 0x0A { continue }
            }
            switch state {
            case .quoted:
                if byte == UInt8(ascii: "\"") { state = .quoteInQuoted } else { field.append(byte) }
                continue
            case .quoteInQuoted:
                if byte == UInt8(ascii: "\"") {
                    field.append(byte)
                    state = .quoted
                    continue
                }
                state = .unquoted
            case .fieldStart:
                if byte == UInt8(ascii: "\"") {
                    state = .quoted
                    recordHasContent = true
                    continue
                }
                state = .unquoted
            case .unquoted:
                break
            }
            // Unquoted context.
            if byte == delimiter {
                endField()
            } else if byte == 0x0A || byte == 0x0D {
                endField()
                try endRecord(emit)
                afterCarriageReturn = byte == 0x0D
            } else {
                field.append(byte)
                recordHasContent = true
            }
        }
    }

    mutating func finish(_ emit: (Record) throws -> Void) throws {
        if recordHasContent || !record.fields.isEmpty || !field.isEmpty {
            endField()
            try endRecord(emit)
        }
    }

    private mutating func endField() {
        record.fields.append(field)
        field.removeAll(keepingCapacity: true)
        state = .fieldStart
        recordHasContent = true
    }

    private mutating func endRecord(_ emit: (Record) throws -> Void) throws {
        try emit(record)
        record.number += 1
        record.fields.removeAll(keepingCapacity: true)
        recordHasContent = false
        state = .fieldStart
    }
}

/// Checks UTF-8 well-formedness chunk by chunk (a sequence may straddle chunks).
struct UTF8Validator {
    private var pending = 0
    private var lowerBound: UInt8 = 0x80
    private var upperBound: UInt8 = 0xBF

    var isComplete: Bool { pending == 0 }

    /// Returns false at the first byte that cannot be UTF-8.
    mutating func feed(_ bytes: Data) -> Bool {
        for byte in bytes {
            if pending > 0 {
                guard byte >= lowerBound, byte <= upperBound else { return false }
                pending -= 1
                lowerBound = 0x80
                upperBound = 0xBF
                continue
            }
            switch byte {
            case 0x00...0x7F: continue
            case 0xC2...0xDF: pending = 1
            case 0xE0: pending = 2; lowerBound = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: pending = 2
            case 0xED: pending = 2; upperBound = 0x9F
            case 0xF0: pending = 3; lowerBound = 0x90
            case 0xF1...0xF3: pending = 3
            case 0xF4: pending = 3; upperBound = 0x8F
            default: return false
            }
        }
        return true
    }
}

/// Big5 as Windows code page 950 (with Microsoft's extensions such as 碁 and 銹), through iconv.
final class CP950Decoder {
    private let descriptor: iconv_t

    init?() {
        guard let descriptor = iconv_open("UTF-8", "CP950"), descriptor != iconv_t(bitPattern: -1) else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        iconv_close(descriptor)
    }

    /// Nil when the bytes are not valid CP950.
    func decode(_ bytes: [UInt8]) -> String? {
        // Reset the conversion state.
        iconv(descriptor, nil, nil, nil, nil)
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 2 + 8)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inputBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outputBuffer.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inputBuffer.count
                var outLeft = outputBuffer.count
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                guard result != -1, inLeft == 0 else { return nil }
                return outputBuffer.count - outLeft
            }
        }
        guard let produced else { return nil }
        return String(decoding: output[..<produced], as: UTF8.self)
    }
}
