/// What a refused file looks like, so the app can say "this is a Windows program, not a photo".
/// The raw value is stable, for localization; `name` is English.
public enum RecognizedFileType: String, Sendable, Codable, CaseIterable {
    case windowsExecutable = "windows_executable"
    case elfExecutable = "elf_executable"
    case macExecutable = "mac_executable"
    case script
    case zipArchive = "zip_archive"
    case rarArchive = "rar_archive"
    case sevenZipArchive = "7z_archive"
    case gzipArchive = "gzip_archive"
    case legacyOfficeDocument = "legacy_office_document"
    case rtfDocument = "rtf_document"
    case htmlDocument = "html_document"
    case svgImage = "svg_image"
    case gifImage = "gif_image"
    case heifImage = "heif_image"
    case avifImage = "avif_image"
    case webpImage = "webp_image"
    case bmpImage = "bmp_image"
    case tiffImage = "tiff_image"
    case jpeg2000Image = "jpeg2000_image"
    case jpegXLImage = "jpegxl_image"
    case photoshopDocument = "photoshop_document"
    case video
    case text

    public var name: String {
        switch self {
        case .windowsExecutable: "Windows executable"
        case .elfExecutable: "ELF executable"
        case .macExecutable: "Mac executable"
        case .script: "script"
        case .zipArchive: "ZIP archive (or an Office document)"
        case .rarArchive: "RAR archive"
        case .sevenZipArchive: "7-Zip archive"
        case .gzipArchive: "gzip archive"
        case .legacyOfficeDocument: "Office 97–2003 document"
        case .rtfDocument: "RTF document"
        case .htmlDocument: "HTML page"
        case .svgImage: "SVG image"
        case .gifImage: "GIF image"
        case .heifImage: "HEIC/HEIF image"
        case .avifImage: "AVIF image"
        case .webpImage: "WebP image"
        case .bmpImage: "BMP image"
        case .tiffImage: "TIFF image"
        case .jpeg2000Image: "JPEG 2000 image"
        case .jpegXLImage: "JPEG XL image"
        case .photoshopDocument: "Photoshop document"
        case .video: "video"
        case .text: "text file"
        }
    }

    var article: String {
        switch self {
        case .elfExecutable, .htmlDocument, .heifImage, .avifImage, .rtfDocument, .svgImage, .legacyOfficeDocument:
            "an"
        default:
            "a"
        }
    }

    /// Recognizes a refused file by its first bytes; `nil` when it looks like nothing known.
    static func recognize(_ bytes: [UInt8]) -> RecognizedFileType? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            bytes.count >= offset + prefix.count && bytes[offset..<offset + prefix.count].elementsEqual(prefix)
        }
        func ascii(_ text: String, at offset: Int = 0) -> Bool { starts(Array(text.utf8), at: offset) }

        if ascii("MZ") { return .windowsExecutable }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return .elfExecutable }
        for magic: [UInt8] in [[0xFE, 0xED, 0xFA, 0xCE], [0xFE, 0xED, 0xFA, 0xCF], [0xCE, 0xFA, 0xED, 0xFE], [0xCF, 0xFA, 0xED, 0xFE]]
        where starts(magic) {
            return .macExecutable
        }
        if ascii("#!") { return .script }
        if ascii("PK\u{03}\u{04}") || ascii("PK\u{05}\u{06}") || ascii("PK\u{07}\u{08}") { return .zipArchive }
        if ascii("Rar!\u{1A}\u{07}") { return .rarArchive }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return .sevenZipArchive }
        if starts([0x1F, 0x8B]) { return .gzipArchive }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .legacyOfficeDocument }
        if ascii("{\\rtf") { return .rtfDocument }
        if ascii("GIF87a") || ascii("GIF89a") { return .gifImage }
        if ascii("RIFF") && ascii("WEBP", at: 8) { return .webpImage }
        if ascii("RIFF") && ascii("AVI ", at: 8) { return .video }
        if ascii("II*\u{00}") || ascii("MM\u{00}*") { return .tiffImage }
        if ascii("8BPS") { return .photoshopDocument }
        if starts([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return .jpeg2000Image }
        if starts([0xFF, 0x0A]) || starts([0x00, 0x00, 0x00, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) { return .jpegXLImage }
        if ascii("ftyp", at: 4), bytes.count >= 12 {
            let brand = String(decoding: bytes[8..<12], as: UTF8.self)
            if ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"].contains(brand) { return .heifImage }
            if ["avif", "avis"].contains(brand) { return .avifImage }
            return .video
        }
        // "BM" alone is too common a start for text; a BMP also states its own length.
        if ascii("BM"), bytes.count >= 6 {
            let declared = Int(bytes[2]) | Int(bytes[3]) << 8 | Int(bytes[4]) << 16 | Int(bytes[5]) << 24
            if declared == bytes.count { return .bmpImage }
        }
        return recognizeText(bytes)
    }

    private static func recognizeText(_ bytes: [UInt8]) -> RecognizedFileType? {
        var prefix = Array(bytes.prefix(4096))
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { prefix.removeFirst(3) }
        if bytes.count > 4096 {
            // The prefix may end inside a multi-byte character; that is no reason to call the text binary.
            var lead = prefix.count - 1
            while lead > 0, prefix.count - lead < 4, prefix[lead] & 0xC0 == 0x80 { lead -= 1 }
            let needed = prefix[lead] >= 0xF0 ? 4 : prefix[lead] >= 0xE0 ? 3 : prefix[lead] >= 0xC0 ? 2 : 1
            if prefix.count - lead < needed { prefix.removeSubrange(lead...) }
        }
        guard let text = String(validating: prefix, as: UTF8.self) else { return nil }
        let allowedControls: Set<Unicode.Scalar> = ["\t", "\n", "\r", "\u{0C}"]
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !allowedControls.contains($0) })
        else { return nil }
        let start = text.drop { $0.isWhitespace }.prefix(512).lowercased()
        if start.hasPrefix("<svg") || (start.hasPrefix("<?xml") && start.contains("<svg")) { return .svgImage }
        if start.hasPrefix("<!doctype html") || start.hasPrefix("<html") { return .htmlDocument }
        return .text
    }
}
