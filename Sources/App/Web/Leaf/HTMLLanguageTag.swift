import Leaf
import LeafKit
import Vapor

/// `#htmlLang()` and `#otherLanguage()`/`#otherLanguageURL()` for the layout's language switch.
struct HTMLLanguageTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        .string(ctx.request?.locale.htmlLanguage ?? SiteLocale.zhTW.htmlLanguage)
    }
}
