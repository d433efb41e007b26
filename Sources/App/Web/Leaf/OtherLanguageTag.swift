import Leaf
import LeafKit
import Vapor

struct OtherLanguageTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { return .string("") }
        let other: SiteLocale = request.locale == .zhTW ? .en : .zhTW
        return .string(other.rawValue)
    }
}
