import Foundation
import OneCardDomain

/// Reads OpenDocument spreadsheets (ods) by streaming `content.xml`.
///
/// Repeated rows and cells (`table:number-rows-repeated`, `table:number-columns-repeated`, which
/// LibreOffice writes for the million empty rows below the data) are never expanded when blank; a
/// repeated non-blank row is handed over once per repetition, so the row limit still applies.
struct ODSReader {
    let package: ZipPackage

    /// Cells right of this column are ignored (far beyond any template column).
    static let maximumColumns = 1024

    /// Whether the manifest says the content is encrypted (a password to open).
    func isEncrypted() throws -> Bool {
        guard let manifest = try package.read("META-INF/manifest.xml") else { return false }
        var encrypted = false
        try XMLScanner.scan(manifest) { token, p in
            if case .start(let name, _, _) = token, XMLText.isLocal(p, name, "encryption-data") { encrypted = true }
        }
        return encrypted
    }

    func read(into consumer: inout some RowConsumer) throws {
        guard package.contains("content.xml") else { throw ReaderDataFileError.corrupt("missing content.xml") }
        // First the data sheets; only when none holds the header, the instructions and example sheets.
        if try readPass(into: &consumer, instructionSheets: false) { return }
        _ = try readPass(into: &consumer, instructionSheets: true)
    }

    /// Returns true when the consumer found its data sheet.
    private func readPass(into consumer: inout some RowConsumer, instructionSheets: Bool) throws -> Bool {
        var scanner = XMLScanner()
        var state = ContentState(instructionSheets: instructionSheets)
        try package.stream("content.xml") { chunk in
            try scanner.feed(chunk) { token, p in try state.handle(token, p, &consumer) }
        }
        if !state.finished {
            try scanner.finish { token, p in try state.handle(token, p, &consumer) }
        }
        return state.finished
    }
}

private struct ContentState {
    let instructionSheets: Bool

    var finished = false
    /// Inside a table this pass reads.
    var active = false
    /// The active table turned out not to be the data sheet.
    var skipping = false
    var tableDepth = 0
    var rowsSoFar = 0
    var rowRepeat = 1
    var inRow = false
    var cells: [SheetCell] = []
    var column = 0
    var inCell = false
    var cellRepeat = 1
    var valueType = ValueType.none
    var numberValue: Double?
    var dateValue: CalendarDay?
    var booleanValue: Bool?
    var paragraphDepth = 0
    var paragraphs = 0
    var annotationDepth = 0
    var text: [UInt8] = []

    enum ValueType { case none, number, date, boolean, string, other }

    init(instructionSheets: Bool) {
        self.instructionSheets = instructionSheets
    }

    mutating func handle(_ token: XMLScanner.Token, _ p: UnsafeBufferPointer<UInt8>, _ consumer: inout some RowConsumer) throws {
        switch token {
        case .text(let range):
            if inCell, paragraphDepth > 0, annotationDepth == 0, active, !skipping { XMLText.appendDecoded(p, range, to: &text) }
        case .cdata(let range):
            if inCell, paragraphDepth > 0, annotationDepth == 0, active, !skipping { text.append(contentsOf: p[range]) }
        case .start(let name, let attributes, let selfClosing):
            let local = XMLText.localName(p, name)
            if XMLText.equals(p, local, "table-cell") || XMLText.equals(p, local, "covered-cell") {
                guard inRow, tableDepth == 1 else { return }
                cellRepeat = max(1, XMLText.attributeInt(p, attributes, "number-columns-repeated") ?? 1)
                if selfClosing {
                    column = min(column + cellRepeat, ODSReader.maximumColumns)
                } else {
                    startCell(p, attributes)
                }
            } else if inCell {
                if XMLText.equals(p, local, "annotation") {
                    if !selfClosing { annotationDepth += 1 }
                    return
                }
                guard annotationDepth == 0 else { return }
                if XMLText.equals(p, local, "p") || XMLText.equals(p, local, "h") {
                    if paragraphs > 0 { text.append(0x0A) }
                    paragraphs += 1
                    if !selfClosing { paragraphDepth += 1 }
                } else if paragraphDepth > 0 {
                    if XMLText.equals(p, local, "s") {
                        let count = min(XMLText.attributeInt(p, attributes, "c") ?? 1, 1000)
                        text.append(contentsOf: repeatElement(0x20, count: count))
                    } else if XMLText.equals(p, local, "tab") {
                        text.append(0x09)
                    } else if XMLText.equals(p, local, "line-break") {
                        text.append(0x0A)
                    }
                }
            } else if XMLText.equals(p, local, "table-row") {
                guard active, !skipping, tableDepth == 1 else { return }
                rowRepeat = max(1, XMLText.attributeInt(p, attributes, "number-rows-repeated") ?? 1)
                if selfClosing {
                    rowsSoFar += rowRepeat
                } else {
                    inRow = true
                    cells.removeAll(keepingCapacity: true)
                    column = 0
                }
            } else if XMLText.equals(p, local, "table") {
                tableDepth += 1
                guard tableDepth == 1, !selfClosing else {
                    if selfClosing { tableDepth -= 1 }
                    return
                }
                let name = XMLText.attributeString(p, attributes, "name") ?? ""
                active = isInstructionsSheetName(name) == instructionSheets
                skipping = false
                rowsSoFar = 0
                if active { consumer.beginSheet(named: name) }
            }
        case .end(let name):
            let local = XMLText.localName(p, name)
            if inCell {
                if XMLText.equals(p, local, "table-cell") || XMLText.equals(p, local, "covered-cell") {
                    endCell()
                } else if XMLText.equals(p, local, "annotation") {
                    annotationDepth = max(0, annotationDepth - 1)
                } else if annotationDepth == 0, XMLText.equals(p, local, "p") || XMLText.equals(p, local, "h") {
                    paragraphDepth = max(0, paragraphDepth - 1)
                }
            } else if XMLText.equals(p, local, "table-row") {
                guard inRow else { return }
                inRow = false
                try endRow(&consumer)
            } else if XMLText.equals(p, local, "table") {
                tableDepth -= 1
                guard tableDepth == 0 else { return }
                if active {
                    active = false
                    if try consumer.endSheet() {
                        finished = true
                        throw StopReading()
                    }
                }
            }
        }
    }

    private mutating func startCell(_ p: UnsafeBufferPointer<UInt8>, _ attributes: Range<Int>) {
        inCell = true
        text.removeAll(keepingCapacity: true)
        paragraphs = 0
        paragraphDepth = 0
        annotationDepth = 0
        numberValue = nil
        dateValue = nil
        booleanValue = nil
        valueType = .none
        guard let type = XMLText.attribute(p, attributes, "value-type") else { return }
        if XMLText.equals(p, type, "float") || XMLText.equals(p, type, "percentage") || XMLText.equals(p, type, "currency") {
            valueType = .number
            if let raw = XMLText.attributeString(p, attributes, "value") { numberValue = Double(raw) }
        } else if XMLText.equals(p, type, "date") {
            valueType = .date
            if let raw = XMLText.attributeString(p, attributes, "date-value") {
                dateValue = CalendarDay(iso: String(raw.prefix(10)))
            }
        } else if XMLText.equals(p, type, "boolean") {
            valueType = .boolean
            let raw = XMLText.attributeString(p, attributes, "boolean-value")
            booleanValue = raw.map { $0 == "true" || $0 == "1" }
        } else if XMLText.equals(p, type, "string") {
            valueType = .string
        } else {
            valueType = .other
        }
    }

    private mutating func endCell() {
        inCell = false
        let value: CellValue?
        switch valueType {
        case .number where numberValue != nil: value = .number(numberValue!)
        case .date where dateValue != nil: value = .date(dateValue!)
        case .boolean where booleanValue != nil: value = .boolean(booleanValue!)
        default: value = text.isEmpty ? nil : .text(String(decoding: text, as: UTF8.self))
        }
        if let value, active, !skipping, column < ODSReader.maximumColumns {
            let count = min(cellRepeat, ODSReader.maximumColumns - column)
            for offset in 0..<count { cells.append(SheetCell(column: column + offset, value: value)) }
        }
        column = min(column + cellRepeat, ODSReader.maximumColumns)
    }

    private mutating func endRow(_ consumer: inout some RowConsumer) throws {
        defer { rowsSoFar += rowRepeat }
        guard active, !skipping, !cells.isEmpty else { return }
        for offset in 0..<rowRepeat {
            let row = SheetRow(number: rowsSoFar + offset + 1, cells: cells)
            if try consumer.consume(row) == .skipSheet {
                skipping = true
                return
            }
        }
    }
}
