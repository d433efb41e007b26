import Foundation
import OneCardDomain

/// Reads Office Open XML workbooks (xlsx) by streaming each worksheet's XML.
struct XLSXReader {
    let package: ZipPackage
    /// More distinct strings than the allowed rows could use are refused before they fill memory.
    let maximumSharedStrings: Int

    private struct SheetEntry {
        var name: String
        var path: String
        var hidden: Bool
    }

    private struct Relationship {
        var id: String
        var type: String
        var target: String
    }

    func read(into consumer: inout some RowConsumer) throws {
        let workbookPath = try officeDocumentPath()
        guard let workbookXML = try package.read(workbookPath) else {
            throw ReaderDataFileError.corrupt("missing \(workbookPath)")
        }
        let folder = Self.folder(of: workbookPath)
        let relationships = try readRelationships(Self.relationshipsPath(for: workbookPath))
        var date1904 = false
        var sheets: [SheetEntry] = []
        try XMLScanner.scan(workbookXML) { token, p in
            guard case .start(let name, let attributes, _) = token else { return }
            if XMLText.isLocal(p, name, "workbookPr") {
                let flag = XMLText.attributeString(p, attributes, "date1904")
                date1904 = flag == "1" || flag == "true"
            } else if XMLText.isLocal(p, name, "sheet"),
                      let id = XMLText.attributeString(p, attributes, "id"),
                      let relationship = relationships.first(where: { $0.id == id }),
                      relationship.type.hasSuffix("/worksheet") {
                let state = XMLText.attributeString(p, attributes, "state") ?? "visible"
                sheets.append(SheetEntry(
                    name: XMLText.attributeString(p, attributes, "name") ?? "",
                    path: Self.resolve(relationship.target, relativeTo: folder),
                    hidden: state != "visible"))
            }
        }
        guard !sheets.isEmpty else { throw ReaderDataFileError.corrupt("the workbook lists no worksheets") }

        let sharedStrings = try relationships.first { $0.type.hasSuffix("/sharedStrings") }
            .map { try readSharedStrings(Self.resolve($0.target, relativeTo: folder)) } ?? []
        let dateStyles = try relationships.first { $0.type.hasSuffix("/styles") }
            .map { try readDateStyles(Self.resolve($0.target, relativeTo: folder)) } ?? []

        // Visible data sheets first; instructions, examples and hidden sheets (lookup lists) last.
        let ordered = sheets.filter { !$0.hidden && !isInstructionsSheetName($0.name) }
            + sheets.filter { $0.hidden || isInstructionsSheetName($0.name) }
        for sheet in ordered where package.contains(sheet.path) {
            consumer.beginSheet(named: sheet.name)
            var scanner = XMLScanner()
            var state = SheetState(sharedStrings: sharedStrings, dateStyles: dateStyles, date1904: date1904)
            try package.stream(sheet.path) { chunk in
                try scanner.feed(chunk) { token, p in try state.handle(token, p, &consumer) }
            }
            if !state.stopped {
                try scanner.finish { token, p in try state.handle(token, p, &consumer) }
            }
            if try consumer.endSheet() { return }
        }
    }

    // MARK: Package structure

    private func officeDocumentPath() throws -> String {
        let relationships = try readRelationships("_rels/.rels")
        if let document = relationships.first(where: { $0.type.hasSuffix("/officeDocument") }) {
            return Self.resolve(document.target, relativeTo: "")
        }
        return "xl/workbook.xml"
    }

    private func readRelationships(_ path: String) throws -> [Relationship] {
        guard let bytes = try package.read(path) else { return [] }
        var result: [Relationship] = []
        try XMLScanner.scan(bytes) { token, p in
            guard case .start(let name, let attributes, _) = token, XMLText.isLocal(p, name, "Relationship"),
                  XMLText.attributeString(p, attributes, "TargetMode") != "External",
                  let id = XMLText.attributeString(p, attributes, "Id"),
                  let target = XMLText.attributeString(p, attributes, "Target") else { return }
            result.append(Relationship(id: id, type: XMLText.attributeString(p, attributes, "Type") ?? "", target: target))
        }
        return result
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }

    static func relationshipsPath(for path: String) -> String {
        let folder = folder(of: path)
        return folder + "_rels/" + path.dropFirst(folder.count) + ".rels"
    }

    /// Resolves a relationship target (relative to the source part's folder, or absolute from the package root).
    static func resolve(_ target: String, relativeTo folder: String) -> String {
        let combined = target.hasPrefix("/") ? String(target.dropFirst()) : folder + target
        var parts: [Substring] = []
        for part in combined.split(separator: "/") {
            if part == ".." { _ = parts.popLast() } else if part != "." { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }

    // MARK: Shared strings


    private func readSharedStrings(_ path: String) throws -> [String] {
        guard package.contains(path) else { return [] }
        var strings: [String] = []
        var text: [UInt8] = []
        var inItem = false
        var inText = false
        var phoneticDepth = 0
        var scanner = XMLScanner()
        let handle: XMLScanner.Handler = { token, p in
            switch token {
            case .start(let name, let attributes, let selfClosing):
                let local = XMLText.localName(p, name)
                if XMLText.equals(p, local, "t") {
                    inText = !selfClosing
                } else if XMLText.equals(p, local, "si") {
                    text.removeAll(keepingCapacity: true)
                    if selfClosing { strings.append("") } else { inItem = true }
                } else if XMLText.equals(p, local, "rPh") {
                    if !selfClosing { phoneticDepth += 1 }
                } else if XMLText.equals(p, local, "sst"), strings.isEmpty,
                          let unique = XMLText.attributeInt(p, attributes, "uniqueCount") {
                    strings.reserveCapacity(min(unique, 1 << 20))
                }
            case .end(let name):
                let local = XMLText.localName(p, name)
                if XMLText.equals(p, local, "t") {
                    inText = false
                } else if XMLText.equals(p, local, "si") {
                    inItem = false
                    guard strings.count < maximumSharedStrings else {
                        throw ReaderDataFileError.corrupt("more than \(maximumSharedStrings) shared strings")
                    }
                    strings.append(XMLText.unescapeOOXML(String(decoding: text, as: UTF8.self)))
                } else if XMLText.equals(p, local, "rPh") {
                    phoneticDepth = max(0, phoneticDepth - 1)
                }
            case .text(let range):
                if inItem, inText, phoneticDepth == 0 { XMLText.appendDecoded(p, range, to: &text) }
            case .cdata(let range):
                if inItem, inText, phoneticDepth == 0 { text.append(contentsOf: p[range]) }
            }
        }
        try package.stream(path) { chunk in try scanner.feed(chunk, handler: handle) }
        try scanner.finish(handler: handle)
        return strings
    }

    // MARK: Styles

    /// Built-in number formats that show dates (14–17, 22; the East Asian 27–36 and 50–58 include the ROC 民國 formats).
    static let builtInDateFormats: Set<Int> = Set([14, 15, 16, 17, 22] + Array(27...36) + Array(50...58))

    /// For each cell format index (`s` attribute), whether it displays a date.
    private func readDateStyles(_ path: String) throws -> [Bool] {
        guard let bytes = try package.read(path) else { return [] }
        var customFormats: [Int: String] = [:]
        var cellFormats: [Int] = []
        var inCellXfs = false
        try XMLScanner.scan(bytes) { token, p in
            switch token {
            case .start(let name, let attributes, let selfClosing):
                let local = XMLText.localName(p, name)
                if XMLText.equals(p, local, "numFmt"),
                   let id = XMLText.attributeInt(p, attributes, "numFmtId"),
                   let code = XMLText.attributeString(p, attributes, "formatCode") {
                    customFormats[id] = code
                } else if XMLText.equals(p, local, "cellXfs") {
                    inCellXfs = !selfClosing
                } else if inCellXfs, XMLText.equals(p, local, "xf") {
                    cellFormats.append(XMLText.attributeInt(p, attributes, "numFmtId") ?? 0)
                }
            case .end(let name):
                if XMLText.isLocal(p, name, "cellXfs") { inCellXfs = false }
            case .text, .cdata:
                break
            }
        }
        return cellFormats.map { id in
            if let code = customFormats[id] { return Self.isDateFormatCode(code) }
            return Self.builtInDateFormats.contains(id)
        }
    }

    /// Whether a custom number format shows a date: it has year, day or ROC-era tokens outside quoted
    /// text, escapes and brackets.
    static func isDateFormatCode(_ code: String) -> Bool {
        var plain = ""
        var inQuote = false
        var inBracket = false
        var escaped = false
        for character in code {
            if escaped { escaped = false; continue }
            if inQuote { if character == "\"" { inQuote = false }; continue }
            if inBracket { if character == "]" { inBracket = false }; continue }
            switch character {
            case "\"": inQuote = true
            case "[": inBracket = true
            case "\\", "_", "*": escaped = true
            default: plain.append(character)
            }
        }
        let lower = plain.lowercased()
        if lower.contains("general") { return false }
        let withoutExponents = lower.replacingOccurrences(of: "e+", with: "").replacingOccurrences(of: "e-", with: "")
        return withoutExponents.contains { "ydeg".contains($0) }
    }

    /// An Excel serial day number as a calendar day (1900 system with its phantom 1900-02-29, or 1904 system).
    static func day(fromSerial serial: Double, date1904: Bool) -> CalendarDay? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let whole = Int(serial.rounded(.down))
        if date1904 {
            return CalendarDay(year: 1904, month: 1, day: 1)?.adding(days: whole)
        }
        switch whole {
        case 0, 60: return nil  // 1900-01-00 and Lotus's 1900-02-29 do not exist.
        case 1..<60: return CalendarDay(year: 1899, month: 12, day: 31)?.adding(days: whole)
        default: return CalendarDay(year: 1899, month: 12, day: 30)?.adding(days: whole)
        }
    }
}

/// The state of one worksheet's scan: `<row r>` → `<c r t s>` → `<v>` / `<is><t>`.
private struct SheetState {
    let sharedStrings: [String]
    let dateStyles: [Bool]
    let date1904: Bool

    var stopped = false
    var rowNumber = 0
    var inRow = false
    var cells: [SheetCell] = []
    var column = -1
    var cellType = CellType.number
    var cellStyle = 0
    var inValue = false
    var inInline = false
    var inInlineText = false
    var phoneticDepth = 0
    var text: [UInt8] = []

    enum CellType { case number, shared, string, inline, boolean, error, date }

    init(sharedStrings: [String], dateStyles: [Bool], date1904: Bool) {
        self.sharedStrings = sharedStrings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    mutating func handle(_ token: XMLScanner.Token, _ p: UnsafeBufferPointer<UInt8>, _ consumer: inout some RowConsumer) throws {
        if stopped { return }
        switch token {
        case .text(let range):
            if inValue || (inInlineText && phoneticDepth == 0) { XMLText.appendDecoded(p, range, to: &text) }
        case .cdata(let range):
            if inValue || (inInlineText && phoneticDepth == 0) { text.append(contentsOf: p[range]) }
        case .start(let name, let attributes, let selfClosing):
            let local = XMLText.localName(p, name)
            switch local.count {
            case 1 where p[local.lowerBound] == UInt8(ascii: "c"):
                guard inRow else { return }
                startCell(p, attributes)
            case 1 where p[local.lowerBound] == UInt8(ascii: "v"):
                if !selfClosing { inValue = true }
            case 1 where p[local.lowerBound] == UInt8(ascii: "t"):
                if inInline, !selfClosing { inInlineText = true }
            case 2 where XMLText.equals(p, local, "is"):
                if !selfClosing { inInline = true }
            case 3 where XMLText.equals(p, local, "row"):
                rowNumber = XMLText.attributeInt(p, attributes, "r") ?? (rowNumber + 1)
                cells.removeAll(keepingCapacity: true)
                column = -1
                inRow = !selfClosing
            case 3 where XMLText.equals(p, local, "rPh"):
                if !selfClosing { phoneticDepth += 1 }
            default:
                break
            }
        case .end(let name):
            let local = XMLText.localName(p, name)
            switch local.count {
            case 1 where p[local.lowerBound] == UInt8(ascii: "c"):
                if inRow { endCell(p) }
            case 1 where p[local.lowerBound] == UInt8(ascii: "v"):
                inValue = false
            case 1 where p[local.lowerBound] == UInt8(ascii: "t"):
                inInlineText = false
            case 2 where XMLText.equals(p, local, "is"):
                inInline = false
            case 3 where XMLText.equals(p, local, "row"):
                inRow = false
                if !cells.isEmpty {
                    if try consumer.consume(SheetRow(number: rowNumber, cells: cells)) == .skipSheet {
                        stopped = true
                        throw StopReading()
                    }
                }
            case 3 where XMLText.equals(p, local, "rPh"):
                phoneticDepth = max(0, phoneticDepth - 1)
            default:
                break
            }
        }
    }

    private mutating func startCell(_ p: UnsafeBufferPointer<UInt8>, _ attributes: Range<Int>) {
        text.removeAll(keepingCapacity: true)
        inValue = false
        inInline = false
        inInlineText = false
        if let reference = XMLText.attribute(p, attributes, "r"), let parsed = Self.columnIndex(p, reference) {
            column = parsed
        } else {
            column += 1
        }
        cellStyle = XMLText.attributeInt(p, attributes, "s") ?? 0
        cellType = .number
        if let type = XMLText.attribute(p, attributes, "t") {
            if XMLText.equals(p, type, "s") { cellType = .shared }
            else if XMLText.equals(p, type, "str") { cellType = .string }
            else if XMLText.equals(p, type, "inlineStr") { cellType = .inline }
            else if XMLText.equals(p, type, "b") { cellType = .boolean }
            else if XMLText.equals(p, type, "e") { cellType = .error }
            else if XMLText.equals(p, type, "d") { cellType = .date }
        }
    }

    private mutating func endCell(_ p: UnsafeBufferPointer<UInt8>) {
        inValue = false
        inInline = false
        inInlineText = false
        guard !text.isEmpty else { return }
        let value: CellValue
        switch cellType {
        case .shared:
            guard let index = text.withUnsafeBufferPointer({ XMLText.integer($0, 0..<$0.count) }),
                  index < sharedStrings.count else { return }
            value = .text(sharedStrings[index])
        case .string, .inline, .error:
            value = .text(XMLText.unescapeOOXML(String(decoding: text, as: UTF8.self)))
        case .boolean:
            value = .boolean(text == [UInt8(ascii: "1")])
        case .date:
            let string = String(decoding: text, as: UTF8.self)
            if let day = CalendarDay(iso: String(string.prefix(10))) { value = .date(day) } else { value = .text(string) }
        case .number:
            let parsed = text.withUnsafeBufferPointer { Self.fastNumber($0) }
            guard let number = parsed ?? Double(String(decoding: text, as: UTF8.self).trimmedCell) else {
                value = .text(String(decoding: text, as: UTF8.self))
                break
            }
            if cellStyle < dateStyles.count, dateStyles[cellStyle],
               let day = XLSXReader.day(fromSerial: number, date1904: date1904) {
                value = .date(day)
            } else {
                value = .number(number)
            }
        }
        if cells.last.map({ $0.column < column }) ?? true {
            cells.append(SheetCell(column: column, value: value))
        } else {
            // Writers keep cells in column order; keep the row ordered if one does not.
            let index = cells.firstIndex { $0.column >= column } ?? cells.endIndex
            if index < cells.endIndex, cells[index].column == column { cells[index].value = value } else {
                cells.insert(SheetCell(column: column, value: value), at: index)
            }
        }
    }

    /// Integers and plain decimals (`912345678`, `40666`, `40666.5`) without making a String; nil for
    /// anything else (exponents, signs), which the caller hands to `Double.init`.
    static func fastNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 15 else { return nil }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var scale: Int64 = 1
        var inFraction = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !inFraction else { return nil }
                inFraction = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if inFraction {
                fraction = fraction * 10 + Int64(digit)
                scale *= 10
            } else {
                whole = whole * 10 + Int64(digit)
            }
        }
        return inFraction ? Double(whole) + Double(fraction) / Double(scale) : Double(whole)
    }

    /// `C7` → 2; `$AB$12` → 27.
    static func columnIndex(_ p: UnsafeBufferPointer<UInt8>, _ reference: Range<Int>) -> Int? {
        var index = 0
        var letters = 0
        for position in reference {
            let byte = p[position]
            if byte == UInt8(ascii: "$") { continue }
            let upper = byte & 0xDF
            guard upper >= UInt8(ascii: "A"), upper <= UInt8(ascii: "Z") else { break }
            index = index * 26 + Int(upper - UInt8(ascii: "A")) + 1
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : index - 1
    }
}
