/// Decides whether an uploaded file is accepted, and cleans it when it is.
///
/// The type comes from the content alone — the uploaded name and the browser's media type are never asked.
public enum UploadInspector {
    public static func inspect(_ bytes: [UInt8], policy: UploadPolicy = .init()) throws(UploadRejection) -> InspectedUpload {
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= policy.maximumBytes else {
            throw .tooLarge(bytes: bytes.count, limit: policy.maximumBytes)
        }
        if bytes.hasBytes([0xFF, 0xD8, 0xFF], at: 0) {
            return try JPEGCleaner.clean(bytes, policy: policy)
        }
        if bytes.hasBytes(PNGCleaner.signature, at: 0) {
            return try PNGCleaner.clean(bytes, policy: policy)
        }
        if let headerOffset = pdfHeaderOffset(bytes) {
            return try PDFChecker.check(bytes, headerOffset: headerOffset, policy: policy)
        }
        throw .notAnAcceptedType(detected: RecognizedFileType.recognize(bytes))
    }

    /// Where `%PDF-` starts. Readers look anywhere in the first 1024 bytes, which lets a file be two things at
    /// once; here only a byte-order mark and whitespace may come before it.
    static func pdfHeaderOffset(_ bytes: [UInt8]) -> Int? {
        var offset = bytes.hasBytes([0xEF, 0xBB, 0xBF], at: 0) ? 3 : 0
        while offset < min(bytes.count, 1024), PDFLexer.isWhitespace(bytes[offset]), bytes[offset] != 0 { offset += 1 }
        return offset < 1024 && bytes.hasASCII("%PDF-", at: offset) ? offset : nil
    }
}
