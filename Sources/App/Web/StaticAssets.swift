import Crypto
import Foundation
import NIOCore
import Vapor

/// The files under `Public/` (the stylesheet and the script), read once at start and served from memory
/// by `StaticAssetMiddleware`. Each has a fingerprint of its content: pages link `/css/site.css?v=<hash>`
/// (`#asset`), which may be cached for a year, since a changed file gets another link. Vapor's
/// `FileMiddleware` looked on the disk for every request, pages and API calls included, before passing
/// them on; a dictionary lookup is all the others pay now. A file changed on disk is served once the app
/// restarts (the files ship inside the app's resources).
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: HTTPMediaType
        /// The first 16 hex digits of the content's SHA-256: the `v` of fingerprinted links, and the ETag.
        let fingerprint: String
        /// The file's modification time as an HTTP date, e.g. `Mon, 07 Dec 2026 15:01:53 GMT`.
        let lastModified: String
        var etag: String { "\"\(fingerprint)\"" }
    }

    /// Keyed by URL path, e.g. `/css/site.css`.
    let assets: [String: Asset]

    static func load(from directory: String) throws -> StaticAssets {
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var assets: [String: Asset] = [:]
        let httpDate = DateFormatter()
        httpDate.locale = Locale(identifier: "en_US_POSIX")
        httpDate.timeZone = TimeZone(identifier: "GMT")
        httpDate.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .contentModificationDateKey])
        while let file = files?.nextObject() as? URL {
            let values = try file.resourceValues(forKeys: [.isRegularFileKey, .contentModificationDateKey])
            guard values.isRegularFile == true else { continue }
            let data = try Data(contentsOf: file)
            let path = String(file.standardizedFileURL.path.dropFirst(root.path.count))
            let fingerprint = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
            assets[path.hasPrefix("/") ? path : "/" + path] = Asset(
                body: ByteBuffer(data: data),
                contentType: HTTPMediaType.fileExtension(file.pathExtension) ?? .binary,
                fingerprint: fingerprint,
                lastModified: httpDate.string(from: values.contentModificationDate ?? Date(timeIntervalSince1970: 0))
            )
        }
        return StaticAssets(assets: assets)
    }

    /// The fingerprinted link to a file, e.g. `/css/site.css?v=3f2a…`; an unknown path is left as it is.
    func url(for path: String) -> String {
        guard let asset = assets[path] else { return path }
        return path + "?v=" + asset.fingerprint
    }
}
