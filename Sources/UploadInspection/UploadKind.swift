/// The kinds of file an upload may be, as recognized from its content, never from its name.
public enum UploadKind: String, Sendable, Codable, CaseIterable {
    case jpeg
    case png
    case pdf

    /// The media type to store and serve the file with.
    public var mediaType: String {
        switch self {
        case .jpeg: "image/jpeg"
        case .png: "image/png"
        case .pdf: "application/pdf"
        }
    }

    /// The extension to give the stored file, whatever the uploaded name said.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .pdf: "pdf"
        }
    }
}
