/// Why an upload was refused. `code` is stable, for the app to localize from; `description` is English.
public enum UploadRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes.
    case empty
    /// More bytes than the policy's `maximumBytes`.
    case tooLarge(bytes: Int, limit: Int)
    /// Not a JPEG, PNG or PDF; `detected` names what it looks like when that is recognizable.
    case notAnAcceptedType(detected: RecognizedFileType?)
    /// An image (or an image inside a PDF) that declares more pixels than the policy's `maximumPixels`.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// A JPEG, PNG or PDF whose structure is broken at `offset` (truncated, a bad checksum, garbage).
    case malformed(offset: Int, reason: String)
    /// A PDF protected with a password or encryption: it cannot be checked or read by staff.
    case encryptedPDF
    /// A PDF with active or hidden content (JavaScript, launch actions, embedded files…), or one whose
    /// compressed objects cannot be checked for it.
    case unsafePDF(reason: String)
    /// A PDF whose compressed objects (object streams) expand to more than `limit` bytes: too big to check,
    /// which says nothing of what it holds.
    case pdfObjectsTooLarge(limit: Int)
    /// A PDF with more pages than the policy's `maximumPDFPages`.
    case tooManyPages(pages: Int, limit: Int)

    /// A stable machine word, for logs, JSON and the localization key.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .tooLarge: "too_large"
        case .notAnAcceptedType: "not_accepted_type"
        case .tooManyPixels: "too_many_pixels"
        case .malformed: "malformed"
        case .encryptedPDF: "encrypted_pdf"
        case .unsafePDF: "unsafe_pdf"
        case .pdfObjectsTooLarge: "pdf_objects_too_large"
        case .tooManyPages: "too_many_pages"
        }
    }

    public var description: String {
        switch self {
        case .empty:
            "The file is empty."
        case .tooLarge(let bytes, let limit) where limit % 1_048_576 == 0:
            "The file has \(bytes) bytes; the limit is \(limit) bytes (\(limit / 1_048_576) MB)."
        case .tooLarge(let bytes, let limit):
            "The file has \(bytes) bytes; the limit is \(limit) bytes."
        case .notAnAcceptedType(let detected?):
            "The file is \(detected.article) \(detected.name), not a JPEG or PNG picture or a PDF document."
        case .notAnAcceptedType(nil):
            "The file is not a JPEG or PNG picture or a PDF document."
        case .tooManyPixels(let width, let height, let limit):
            "The image is \(width) × \(height) pixels; the limit is \(limit) pixels."
        case .malformed(let offset, let reason):
            "The file is damaged or incomplete at byte \(offset): \(reason)."
        case .encryptedPDF:
            "The PDF is encrypted or password-protected."
        case .unsafePDF(let reason):
            "The PDF is refused because it \(reason)."
        case .pdfObjectsTooLarge(let limit):
            "The PDF's compressed objects expand to more than \(limit / 1_048_576) MB, too much to check."
        case .tooManyPages(let pages, let limit):
            "The PDF has \(pages) pages; the limit is \(limit)."
        }
    }
}
