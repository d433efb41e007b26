import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("Scanner, CSV parser and conversions")
struct ReaderInternalsTests {
    /// Feeds `xml` in pieces of `size` bytes and collects (kind, text) pairs.
    private func tokens(_ xml: String, pieces size: Int) throws -> [String] {
        var scanner = XMLScanner(maximumTokenBytes: 1 << 16)
        var result: [String] = []
        let handler: XMLScanner.Handler = { token, p in
            switch token {
            case .start(let name, let attributes, let selfClosing):
                let id = XMLText.attributeString(p, attributes, "id") ?? ""
                result.append("start \(String(decoding: p[XMLText.localName(p, name)], as: UTF8.self)) \(id)\(selfClosing ? " /" : "")")
            case .end(let name):
                result.append("end \(String(decoding: p[name], as: UTF8.self))")
            case .text(let range):
                var bytes: [UInt8] = []
                XMLText.appendDecoded(p, range, to: &bytes)
                result.append("text \(String(decoding: bytes, as: UTF8.self))")
            case .cdata(let range):
                result.append("cdata \(String(decoding: p[range], as: UTF8.self))")
            }
        }
        let bytes = Array(xml.utf8)
        var index = 0
        while index < bytes.count {
            try scanner.feed(bytes[index..<min(index + size, bytes.count)], handler: handler)
            index += size
        }
        try scanner.finish(handler: handler)
        return result
    }

    @Test("tokens are the same however the bytes are split")
    func chunkBoundaries() throws {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?><!-- c --><a:r id='x>y'><b id=\"&amp;&#x4E2D;&#20013;\"/>A &lt;&gt;&quot;&apos; &unknown; &#xZZ;<![CDATA[<raw>&amp;]]></a:r>"
        let expected = ["start r x>y", "start b &中中 /", "text A <>\"' &unknown; &#xZZ;", "cdata <raw>&amp;", "end a:r"]
        for size in [1, 2, 3, 7, 1000] {
            #expect(try tokens(xml, pieces: size) == expected, "pieces of \(size)")
        }
    }

    @Test("any document type declaration is refused, even split across chunks")
    func doctype() {
        for size in [1, 4, 1000] {
            #expect(throws: ReaderDataFileError.xmlDoctype) {
                _ = try tokens("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>", pieces: size)
            }
            #expect(throws: ReaderDataFileError.xmlDoctype) { _ = try tokens("<x><!ENTITY a \"b\"></x>", pieces: size) }
        }
    }

    @Test("an unfinished tag or an endless token is malformed")
    func malformed() {
        #expect(throws: ReaderDataFileError.self) { _ = try tokens("<x><y attr=\"1\"", pieces: 5) }
        #expect(throws: ReaderDataFileError.self) {
            _ = try tokens("<x a=\"" + String(repeating: "z", count: 70_000) + "\"/>", pieces: 4096)
        }
    }

    @Test("CSV records: quotes, doubled quotes, CRLF, CR, blank lines; split anywhere")
    func csvParser() throws {
        let text = "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\r\nc,\"multi\nline\",d\re,,\n\"tail\""
        for size in [1, 2, 5, 1000] {
            var parser = CSVParser(delimiter: UInt8(ascii: ","))
            var records: [String] = []
            let emit: (CSVParser.Record) throws -> Void = { record in
                records.append("\(record.number):" + record.fields.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "|"))
            }
            let data = Data(text.utf8)
            var index = 0
            while index < data.count {
                try parser.feed(data[index..<min(index + size, data.count)], emit)
                index += size
            }
            try parser.finish(emit)
            #expect(records == ["1:a|b,1|say \"hi\"", "2:", "3:c|multi\nline|d", "4:e||", "5:tail"], "pieces of \(size)")
        }
    }

    @Test("UTF-8 validation across chunks")
    func utf8Validation() {
        var validator = UTF8Validator()
        let bytes = Array("中文".utf8)
        let firstHalf = validator.feed(Data(bytes[0..<2]))
        #expect(firstHalf)
        #expect(!validator.isComplete)
        let rest = validator.feed(Data(bytes[2...]))
        #expect(rest)
        #expect(validator.isComplete)
        var big5 = UTF8Validator()
        let big5Valid = big5.feed(Data([0xA4, 0xA4, 0xA4, 0xE5]))  // 中文 in Big5
        #expect(!big5Valid)
        var overlong = UTF8Validator()
        let overlongValid = overlong.feed(Data([0xC0, 0xAF]))
        #expect(!overlongValid)
    }

    @Test("CP950 decoding, including Microsoft's extensions")
    func cp950() throws {
        let decoder = try #require(CP950Decoder())
        #expect(decoder.decode([0xA4, 0xA4, 0xA4, 0xE5]) == "中文")
        #expect(decoder.decode([0xF9, 0xD6, 0xF9, 0xD7]) == "碁銹")
        #expect(decoder.decode([0xA4]) == nil)  // a lead byte alone
    }

    @Test("Excel serial days: 1900 system with the phantom leap day, 1904 system")
    func serialDays() {
        #expect(XLSXReader.day(fromSerial: 1, date1904: false) == day(1900, 1, 1))
        #expect(XLSXReader.day(fromSerial: 59, date1904: false) == day(1900, 2, 28))
        #expect(XLSXReader.day(fromSerial: 60, date1904: false) == nil)
        #expect(XLSXReader.day(fromSerial: 61, date1904: false) == day(1900, 3, 1))
        #expect(XLSXReader.day(fromSerial: 40666.75, date1904: false) == day(2011, 5, 3))
        #expect(XLSXReader.day(fromSerial: 0, date1904: true) == day(1904, 1, 1))
        #expect(XLSXReader.day(fromSerial: 39204, date1904: true) == day(2011, 5, 3))
        #expect(XLSXReader.day(fromSerial: -1, date1904: false) == nil)
    }

    @Test("number formats that show dates")
    func dateFormats() {
        for code in ["yyyy/mm/dd", "yyyy-mm-dd h:mm:ss", "[$-404]e/m/d", "[$-zh-TW]ggge\"年\"m\"月\"d\"日\"", "d-mmm-yy", "mm/dd/yy;@"] {
            #expect(XLSXReader.isDateFormatCode(code), "\(code)")
        }
        for code in ["General", "0", "0.00E+00", "\"Tel \"0", "#,##0", "[h]:mm", "@", "0\\d"] {
            #expect(!XLSXReader.isDateFormatCode(code), "\(code)")
        }
    }

    @Test("relationship targets resolve against the workbook's folder")
    func targets() {
        #expect(XLSXReader.resolve("worksheets/sheet1.xml", relativeTo: "xl/") == "xl/worksheets/sheet1.xml")
        #expect(XLSXReader.resolve("/xl/worksheets/sheet1.xml", relativeTo: "xl/") == "xl/worksheets/sheet1.xml")
        #expect(XLSXReader.resolve("../xl/./sheet.xml", relativeTo: "xl/") == "xl/sheet.xml")
        #expect(XLSXReader.relationshipsPath(for: "xl/workbook.xml") == "xl/_rels/workbook.xml.rels")
    }

    @Test("the app can turn a valid row into an error (e.g. already holds a card)")
    func reject() throws {
        var report = try check("template-openpyxl.xlsx")
        report.reject(row: 5, column: .idNumber, code: "already_registered", message: "已持有聯盟借閱證")
        #expect(report.validRows.map(\.row) == [4, 7, 8, 9])
        #expect(report.errors == [RowError(row: 5, column: "身分證字號", code: "already_registered", message: "已持有聯盟借閱證")])
        #expect(!report.isClean)
    }

    @Test func columnNames() {
        #expect(columnLetters(0) == "A")
        #expect(columnLetters(25) == "Z")
        #expect(columnLetters(26) == "AA")
        #expect(columnLetters(701) == "ZZ")
        #expect(columnLetters(702) == "AAA")
    }

    @Test("duplicate 身分證字號 are found by a number key that tells every letter-and-nine-digits apart")
    func idKeys() {
        #expect(RosterAssembler.idKey("A123456789") != RosterAssembler.idKey("B123456789"))
        #expect(RosterAssembler.idKey("A123456789") != RosterAssembler.idKey("A123456788"))
        #expect(RosterAssembler.idKey("Z999999999") == 25 * 1_000_000_000 + 999_999_999)
        #expect(RosterAssembler.idKey("A000000000") == 0)
        // Anything else is compared as text.
        for other in ["A12345678", "A1234567890", "AA23456789", "a123456789", "Ａ123456789"] {
            #expect(RosterAssembler.idKey(other) == nil, "\(other)")
        }
    }
}
