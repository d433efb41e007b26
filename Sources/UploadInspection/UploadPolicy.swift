/// The limits an upload (a photo or scan of an ID card, a household register, a stamped application form) must keep.
public struct UploadPolicy: Sendable, Equatable {
    /// The most bytes one file may have; checked before anything is parsed.
    public var maximumBytes: Int = 10 * 1024 * 1024

    /// The most pixels (width × height) an image may declare, checked from its header before any decoding.
    ///
    /// 40 million: a 12-MP phone photo (4032 × 3024 ≈ 12.2 MP) fits more than three times over, and so does a
    /// 600-dpi A4 scan (about 35 MP). A decompression bomb does not: a 10 MB file can declare a 20000 × 20000
    /// image that would take 1.6 GB to decode. 40 MP decodes to at most 160 MB at four bytes a pixel. The
    /// full-resolution modes of some phones (48 or 50 MP) are refused; their default 12-MP pictures are not.
    public var maximumPixels: Int = 40_000_000

    /// The most pages a PDF may have, or `nil` for no limit. An application form, ID card copies or a household
    /// register transcript run to a few pages; 20 leaves room and keeps a thousand-page file from the staff viewer.
    public var maximumPDFPages: Int? = 20

    public init(maximumBytes: Int = 10 * 1024 * 1024, maximumPixels: Int = 40_000_000, maximumPDFPages: Int? = 20) {
        self.maximumBytes = maximumBytes
        self.maximumPixels = maximumPixels
        self.maximumPDFPages = maximumPDFPages
    }
}
