import Leaf
import Vapor

/// Leaf, with the pages of visitors without a session served from `RenderedPageCache` when the same page was
/// rendered before. Every other page (a session, a parameter in the route, another query) is Leaf's as before.
struct CachingPageRenderer: ViewRenderer {
    let leaf: any ViewRenderer
    let cache: RenderedPageCache
    var request: Request?

    func `for`(_ request: Request) -> any ViewRenderer {
        CachingPageRenderer(leaf: leaf.for(request), cache: cache, request: request)
    }

    func render<E: Encodable>(_ name: String, _ context: E) -> EventLoopFuture<View> {
        guard let request, let key = RenderedPageCache.key(template: name, model: context, for: request) else {
            return leaf.render(name, context)
        }
        if let page = cache.page(for: key) {
            return request.eventLoop.makeSucceededFuture(View(data: page.filled(with: page.showsToken ? request.csrfToken : nil)))
        }
        let cache = cache
        return leaf.render(name, context).map { view in
            // A tag that started a session made this page this visitor's own: not kept.
            guard !request.hasSession else { return view }
            let shown = request.storage[StorageKeys.CSRFCookieKey.self]?.wasShown == true
            cache.store(RenderedPageCache.Page(view.data, token: shown ? request.csrfToken : nil), for: key)
            return view
        }
    }
}
