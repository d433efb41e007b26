import Leaf
import LeafKit
import Vapor

/// `#path("accountPartners")` — the path of the `SiteURL` case a template names (`SiteURL.templateName`), so a
/// template's links move with the routes. Links that need values (an id, a code) are built in Swift and carried
/// by the page model instead. An unknown name fails the render rather than leaving an empty link, and
/// `TemplateLinkTests` resolves every name the templates use.
struct PathTag: LeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1, let name = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#path(name) needs exactly one SiteURL name"))
        }
        guard let url = SiteURL(templateName: name) else {
            throw LeafError(.unknownError("#path(\"\(name)\") names no SiteURL case"))
        }
        return .string(url.path)
    }
}
