import Leaf
import LeafKit
import Vapor

/// `#isEnglish()` — for the few places a template shows a database field in the page's language.
struct IsEnglishTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .bool(ctx.request?.locale == .en)
    }
}
