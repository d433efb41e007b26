import Vapor

/// Answers GET and HEAD for the files of `StaticAssets` from memory, with `ETag` and `Last-Modified`
/// (and `304` to a matching `If-None-Match`). A fingerprinted link (`?v=` the current fingerprint) is
/// `immutable` for a year; any other link to the file must be revalidated (`no-cache`), so an old link
/// never keeps an old file alive.
struct StaticAssetMiddleware: AsyncMiddleware {
    static let fingerprintedCacheControl = "public, max-age=31536000, immutable"
    static let plainCacheControl = "no-cache"

    let assets: StaticAssets

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method == .GET || request.method == .HEAD, let asset = assets.assets[request.url.path] else {
            return try await next.respond(to: request)
        }
        var headers = HTTPHeaders()
        headers.contentType = asset.contentType
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        headers.replaceOrAdd(name: .lastModified, value: asset.lastModified)
        let fingerprinted = request.url.query == "v=" + asset.fingerprint
        headers.replaceOrAdd(name: .cacheControl, value: fingerprinted ? Self.fingerprintedCacheControl : Self.plainCacheControl)
        let offered = request.headers[.ifNoneMatch].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if offered.contains(asset.etag) || offered.contains("W/" + asset.etag) || offered.contains("*") {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
    }
}
