/// An accepted upload, ready to be encrypted and stored.
public struct InspectedUpload: Sendable, Equatable {
    public let kind: UploadKind

    /// The cleaned file. Images lose their metadata (see `removedMetadata`); their compressed picture data is
    /// copied byte for byte, never re-encoded. PDFs are kept byte-exact: rewriting one needs a full PDF writer
    /// and would break the digital signature of an electronic household register transcript (電子戶籍謄本).
    public let bytes: [UInt8]

    /// The image size from its header; `nil` for PDFs.
    public let pixelWidth: Int?
    public let pixelHeight: Int?

    /// What was taken out, in the order first met: `"EXIF"`, `"XMP"`, `"IPTC"`, `"COM"`, `"JFIF thumbnail"`,
    /// `"MPF"`, `"APP12"`…, PNG text chunks by type (`"tEXt"`, `"zTXt"`, `"iTXt"`), `"tIME"`,
    /// `"APNG animation"`, other dropped chunk types, and `"trailing data"` (bytes after the image's end, such
    /// as the video of a motion photo). Empty when nothing was removed.
    public let removedMetadata: [String]

    /// The EXIF orientation (1–8) the original carried, if any. Stripping EXIF removes it, so a photo taken
    /// with the phone turned shows sideways unless the viewer rotates it by this value.
    public let exifOrientation: Int?

    /// The number of page objects in a PDF; `nil` for images.
    public let pageCount: Int?

    public init(
        kind: UploadKind, bytes: [UInt8], pixelWidth: Int? = nil, pixelHeight: Int? = nil,
        removedMetadata: [String] = [], exifOrientation: Int? = nil, pageCount: Int? = nil
    ) {
        self.kind = kind
        self.bytes = bytes
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
        self.removedMetadata = removedMetadata
        self.exifOrientation = exifOrientation
        self.pageCount = pageCount
    }
}
