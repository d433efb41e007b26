import Leaf
import LeafKit
import Vapor

/// `#asset("/css/site.css")` — the file's fingerprinted link (`StaticAssets.url(for:)`), which browsers may
/// keep for a year. A path that names no file under `Public/` fails the render rather than linking nothing.
struct AssetTag: LeafTag {
    let assets: StaticAssets

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let path = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#asset(path) needs exactly one path"))
        }
        guard assets.assets[path] != nil else {
            throw LeafError(.unknownError("#asset(\"\(path)\") names no file under Public/"))
        }
        return .string(assets.url(for: path))
    }
}
