/// Checks a PDF and, when it passes, keeps it byte-exact.
///
/// PDFs are not cleaned: removing their metadata means rewriting the file, which needs a full PDF writer and
/// breaks the digital signature of an electronic household register transcript (電子戶籍謄本). The document
/// information (author, producer, dates) and any XMP stay in the stored file, which is encrypted and read
/// only by staff.
///
/// What is checked: the header at the start, `%%EOF` in the last 1024 bytes, every dictionary at the top
/// level and inside object streams (inflated here, with a budget), for encryption, JavaScript, launch
/// actions, embedded files, rich media and XFA forms (names are compared after `#xx` escapes are decoded,
/// so `/J#61vaScript` is caught); the size of every image XObject; and the number of page objects.
/// Page objects rewritten by an incremental update are counted again, so the count can be high, never low.
/// Not checked: images inline in content streams, and the content streams themselves (they hold drawing
/// operators, not actions).
enum PDFChecker {
    /// Names whose presence refuses the file, with what to say about them.
    static let unsafeNames: [String: String] = [
        "JavaScript": "contains JavaScript",
        "JS": "contains JavaScript",
        "Launch": "contains a launch action, which can start a program",
        "EmbeddedFile": "contains embedded files",
        "EmbeddedFiles": "contains embedded files",
        "RichMedia": "contains rich media (Flash or video)",
        "XFA": "contains an XFA form, which can run scripts",
    ]

    /// The most bytes all object streams of one file may inflate to.
    static let objectStreamBudget = 64 * 1024 * 1024

    private static let maximumNesting = 64

    static func check(_ bytes: [UInt8], headerOffset: Int, policy: UploadPolicy) throws(UploadRejection) -> InspectedUpload {
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        guard bytes.count >= headerOffset + 8, digits.contains(bytes[headerOffset + 5]),
            bytes[headerOffset + 6] == UInt8(ascii: "."), digits.contains(bytes[headerOffset + 7])
        else {
            throw .malformed(offset: headerOffset, reason: "a PDF header without a version number")
        }
        let tailStart = max(headerOffset, bytes.count - 1024)
        guard Array(bytes[tailStart...]).lastRange(of: Array("%%EOF".utf8)) != nil else {
            throw .malformed(offset: bytes.count, reason: "no %%EOF marker at the end (the file may be truncated)")
        }

        var findings = Findings()
        var lexer = PDFLexer(bytes, from: headerOffset)
        try scan(&lexer, into: &findings, allowingStreams: true)

        if findings.encrypted { throw .encryptedPDF }
        if let reason = findings.unsafeReason { throw .unsafePDF(reason: reason) }

        var budget = objectStreamBudget
        for stream in findings.objectStreams {
            let decoded = try decodeObjectStream(stream, in: bytes, budget: &budget)
            var inner = PDFLexer(decoded)
            do throws(UploadRejection) {
                try scan(&inner, into: &findings, allowingStreams: false)
            } catch .malformed(let offset, let reason) {
                // An offset in inflated data means nothing in the file; point at the object stream instead.
                throw .malformed(offset: stream.offset, reason: "\(reason), at byte \(offset) of an object stream")
            }
            if let reason = findings.unsafeReason { throw .unsafePDF(reason: reason) }
        }
        if findings.encrypted { throw .encryptedPDF }

        for image in findings.images {
            let (pixels, overflow) = image.width.multipliedReportingOverflow(by: image.height)
            if overflow || pixels > policy.maximumPixels {
                throw .tooManyPixels(width: image.width, height: image.height, limit: policy.maximumPixels)
            }
        }
        guard findings.pages > 0 else {
            throw .malformed(offset: headerOffset, reason: "a PDF without any page")
        }
        if let limit = policy.maximumPDFPages, findings.pages > limit {
            throw .tooManyPages(pages: findings.pages, limit: limit)
        }
        return InspectedUpload(kind: .pdf, bytes: bytes, pageCount: findings.pages)
    }

    /// What a scan of the objects found.
    struct Findings {
        var encrypted = false
        var unsafeReason: String?
        var pages = 0
        var images: [(width: Int, height: Int)] = []
        var objectStreams: [StreamLocation] = []
    }

    struct StreamLocation {
        let dictionary: [String: PDFObject]
        let data: Range<Int>
        /// Where the stream's dictionary starts in the file.
        let offset: Int
    }

    indirect enum PDFObject {
        case name(String)
        case integer(Int)
        case reference
        case dictionary([String: PDFObject])
        case array([PDFObject])
        case other

        var name: String? {
            if case .name(let name) = self { name } else { nil }
        }

        var integer: Int? {
            if case .integer(let value) = self { value } else { nil }
        }
    }

    /// Reads a sequence of objects to its end, noting what `Findings` collects. A file's top level may have
    /// streams, whose data is skipped; the contents of an object stream may not.
    private static func scan(_ lexer: inout PDFLexer, into findings: inout Findings, allowingStreams: Bool) throws(UploadRejection) {
        var previousDictionary: (dictionary: [String: PDFObject], offset: Int)?
        while let (token, offset) = try lexer.next() {
            switch token {
            case .dictionaryStart:
                let dictionary = try parseDictionary(&lexer, into: &findings, depth: 1)
                previousDictionary = (dictionary, offset)
                continue
            case .arrayStart:
                _ = try parseArray(&lexer, into: &findings, depth: 1)
            case .name(let name):
                note(name, in: &findings)
            case .dictionaryEnd, .arrayEnd:
                throw .malformed(offset: offset, reason: "an unbalanced '>>' or ']'")
            case .keyword("stream"):
                guard allowingStreams else {
                    throw .malformed(offset: offset, reason: "a stream inside an object stream")
                }
                guard let (dictionary, dictionaryOffset) = previousDictionary else {
                    throw .malformed(offset: offset, reason: "a stream without a dictionary")
                }
                let data = try skipStreamData(&lexer, keywordOffset: offset)
                let stream = StreamLocation(dictionary: dictionary, data: data, offset: dictionaryOffset)
                if dictionary["Type"]?.name == "ObjStm" { findings.objectStreams.append(stream) }
                if dictionary["Subtype"]?.name == "Image",
                    let width = dictionary["Width"]?.integer, let height = dictionary["Height"]?.integer,
                    width > 0, height > 0
                {
                    findings.images.append((width, height))
                }
            default:
                break
            }
            previousDictionary = nil
        }
    }

    private static func note(_ name: String, in findings: inout Findings) {
        if findings.unsafeReason == nil, let reason = unsafeNames[name] { findings.unsafeReason = reason }
    }

    private static func parseObject(
        _ token: PDFLexer.Token, offset: Int, _ lexer: inout PDFLexer, into findings: inout Findings, depth: Int
    ) throws(UploadRejection) -> PDFObject {
        switch token {
        case .dictionaryStart:
            return .dictionary(try parseDictionary(&lexer, into: &findings, depth: depth + 1))
        case .arrayStart:
            return .array(try parseArray(&lexer, into: &findings, depth: depth + 1))
        case .name(let name):
            note(name, in: &findings)
            return .name(name)
        case .integer(let value):
            // "12 0 R" is a reference; look ahead without consuming anything else.
            var lookahead = lexer
            if case (.integer, _)? = try? lookahead.next(), case (.keyword("R"), _)? = try? lookahead.next() {
                lexer = lookahead
                return .reference
            }
            return .integer(value)
        case .dictionaryEnd, .arrayEnd:
            throw .malformed(offset: offset, reason: "an unbalanced '>>' or ']'")
        case .keyword("stream"), .keyword("endobj"), .keyword("obj"):
            throw .malformed(offset: offset, reason: "a dictionary or array that is never closed")
        default:
            return .other
        }
    }

    private static func parseDictionary(
        _ lexer: inout PDFLexer, into findings: inout Findings, depth: Int
    ) throws(UploadRejection) -> [String: PDFObject] {
        guard depth <= maximumNesting else {
            throw .malformed(offset: lexer.position, reason: "objects nested more than \(maximumNesting) deep")
        }
        var dictionary: [String: PDFObject] = [:]
        while true {
            guard let (token, offset) = try lexer.next() else {
                throw .malformed(offset: lexer.position, reason: "a dictionary that is never closed")
            }
            if token == .dictionaryEnd {
                let type = dictionary["Type"]?.name
                if type == "Page" { findings.pages += 1 }
                return dictionary
            }
            guard case .name(let key) = token else {
                throw .malformed(offset: offset, reason: "a dictionary key that is not a name")
            }
            note(key, in: &findings)
            if key == "Encrypt" { findings.encrypted = true }
            guard let (valueToken, valueOffset) = try lexer.next() else {
                throw .malformed(offset: lexer.position, reason: "a dictionary that is never closed")
            }
            if valueToken == .dictionaryEnd {
                // A key without a value: read as null, as PDF readers do.
                if dictionary["Type"]?.name == "Page" { findings.pages += 1 }
                return dictionary
            }
            dictionary[key] = try parseObject(valueToken, offset: valueOffset, &lexer, into: &findings, depth: depth)
        }
    }

    private static func parseArray(
        _ lexer: inout PDFLexer, into findings: inout Findings, depth: Int
    ) throws(UploadRejection) -> [PDFObject] {
        guard depth <= maximumNesting else {
            throw .malformed(offset: lexer.position, reason: "objects nested more than \(maximumNesting) deep")
        }
        var array: [PDFObject] = []
        while true {
            guard let (token, offset) = try lexer.next() else {
                throw .malformed(offset: lexer.position, reason: "an array that is never closed")
            }
            if token == .arrayEnd { return array }
            array.append(try parseObject(token, offset: offset, &lexer, into: &findings, depth: depth))
        }
    }

    /// Moves past a stream's data to its `endstream`, returning where the data lies. The first `endstream`
    /// ends it even when /Length says more: what the lexer then reads was data to a reader that trusts
    /// /Length, so at worst more is checked, never less.
    private static func skipStreamData(_ lexer: inout PDFLexer, keywordOffset: Int) throws(UploadRejection) -> Range<Int> {
        let bytes = lexer.bytes
        var start = lexer.position
        if start < bytes.count, bytes[start] == 0x0D { start += 1 }
        if start < bytes.count, bytes[start] == 0x0A { start += 1 }
        let marker = Array("endstream".utf8)
        var index = start
        while true {
            guard index + marker.count <= bytes.count else {
                throw .malformed(offset: keywordOffset, reason: "a stream without endstream")
            }
            if bytes[index] == marker[0], bytes.hasBytes(marker, at: index) { break }
            index += 1
        }
        lexer.position = index + marker.count
        var end = index
        if end > start, bytes[end - 1] == 0x0A { end -= 1 }
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return start..<end
    }

    private static func decodeObjectStream(
        _ stream: StreamLocation, in bytes: [UInt8], budget: inout Int
    ) throws(UploadRejection) -> [UInt8] {
        let data = bytes[stream.data]
        var filters: [String] = []
        var parameters: PDFObject?
        switch stream.dictionary["Filter"] {
        case nil: break
        case .name(let name)?: filters = [name]
        case .array(let items)?: filters = items.compactMap(\.name)
            guard filters.count == items.count else { throw uncheckable("an unreadable filter") }
        default: throw uncheckable("an unreadable filter")
        }
        switch stream.dictionary["DecodeParms"] {
        case .array(let items)?: parameters = items.first
        case let other: parameters = other
        }
        guard filters.count <= 1 else { throw uncheckable("a chain of filters") }
        guard let filter = filters.first else {
            guard data.count <= budget else { throw tooMuch() }
            budget -= data.count
            return Array(data)
        }
        guard filter == "FlateDecode" || filter == "Fl" else { throw uncheckable("/\(filter)") }

        let inflated: [UInt8]
        do throws(Inflater.Failure) {
            inflated = try Inflater.zlibDecompress(data, limit: budget)
        } catch .outputLimit {
            throw tooMuch()
        } catch {
            throw .malformed(offset: stream.offset, reason: "an object stream that cannot be decompressed")
        }
        budget -= inflated.count

        guard case .dictionary(let parms)? = parameters, let predictor = parms["Predictor"]?.integer, predictor > 1 else {
            return inflated
        }
        guard predictor >= 10 else { throw uncheckable("the TIFF predictor") }
        let colors = parms["Colors"]?.integer ?? 1
        let bitsPerComponent = parms["BitsPerComponent"]?.integer ?? 8
        let columns = parms["Columns"]?.integer ?? 1
        guard (1...32).contains(colors), [1, 2, 4, 8, 16].contains(bitsPerComponent), (1...1 << 20).contains(columns),
            let unpredicted = undoPNGPredictor(inflated, colors: colors, bitsPerComponent: bitsPerComponent, columns: columns)
        else {
            throw .malformed(offset: stream.offset, reason: "an object stream with broken predictor data")
        }
        return unpredicted
    }

    private static func uncheckable(_ what: String) -> UploadRejection {
        .unsafePDF(reason: "has compressed objects encoded with \(what), which cannot be checked")
    }

    /// Over the budget is a matter of size, not of content: nothing unsafe was seen (it would have been
    /// refused as such first), so the person is told to make the file smaller, not to remove scripts.
    private static func tooMuch() -> UploadRejection {
        .pdfObjectsTooLarge(limit: objectStreamBudget)
    }

    /// Reverses PNG row filters (predictors 10–15): each row starts with its filter type.
    static func undoPNGPredictor(_ data: [UInt8], colors: Int, bitsPerComponent: Int, columns: Int) -> [UInt8]? {
        let bytesPerPixel = max(1, (colors * bitsPerComponent + 7) / 8)
        let rowLength = (colors * bitsPerComponent * columns + 7) / 8
        if data.isEmpty { return [] }
        guard rowLength < data.count else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(data.count)
        var previous = [UInt8](repeating: 0, count: rowLength)
        var position = 0
        while position < data.count {
            guard position + 1 + rowLength <= data.count else { return nil }
            let filter = data[position]
            var row = Array(data[position + 1..<position + 1 + rowLength])
            for index in 0..<rowLength {
                let left = index >= bytesPerPixel ? Int(row[index - bytesPerPixel]) : 0
                let up = Int(previous[index])
                let upLeft = index >= bytesPerPixel ? Int(previous[index - bytesPerPixel]) : 0
                let prediction: Int
                switch filter {
                case 0: prediction = 0
                case 1: prediction = left
                case 2: prediction = up
                case 3: prediction = (left + up) / 2
                case 4:
                    let estimate = left + up - upLeft
                    let (toLeft, toUp, toUpLeft) = (abs(estimate - left), abs(estimate - up), abs(estimate - upLeft))
                    prediction = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft
                default: return nil
                }
                row[index] = UInt8(truncatingIfNeeded: Int(row[index]) + prediction)
            }
            output.append(contentsOf: row)
            previous = row
            position += 1 + rowLength
        }
        return output
    }
}

extension Array where Element == UInt8 {
    func lastRange(of pattern: [UInt8]) -> Range<Int>? {
        guard pattern.count <= count else { return nil }
        for start in stride(from: count - pattern.count, through: 0, by: -1) where hasBytes(pattern, at: start) {
            return start..<start + pattern.count
        }
        return nil
    }
}
