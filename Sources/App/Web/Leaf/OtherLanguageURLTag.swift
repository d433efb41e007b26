import Leaf
import LeafKit
import Vapor

struct OtherLanguageURLTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { return .string("/") }
        let other: SiteLocale = request.locale == .zhTW ? .en : .zhTW
        var components = URLComponents()
        components.path = request.url.path
        var items = (URLComponents(string: request.url.string)?.queryItems ?? []).filter { $0.name != "lang" }
        items.append(URLQueryItem(name: "lang", value: other.rawValue))
        components.queryItems = items
        return .string(components.string ?? "/?lang=\(other.rawValue)")
    }
}
