import Leaf
import LeafKit
import Vapor

/// `#t("home.title")` — localized text for the request's language; `#t("key", "name", value)` fills `{name}`.
struct TranslateTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string, let request = ctx.request else {
            throw LeafError(.unknownError("#t(key) needs a key and a request"))
        }
        var values: [String: String] = [:]
        var rest = ctx.parameters.dropFirst()
        while let name = rest.popFirst()?.string, let value = rest.popFirst() {
            values[name] = value.string ?? ""
        }
        return .string(request.t(key, values))
    }
}
