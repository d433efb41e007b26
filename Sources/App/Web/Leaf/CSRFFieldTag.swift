import Leaf
import LeafKit
import Vapor

/// `#csrfField()` — the hidden input that every state-changing form must carry.
struct CSRFFieldTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let request = ctx.request else { throw LeafError(.unknownError("#csrfField() needs a request")) }
        let token = request.csrfToken
        return .string(#"<input type="hidden" name="\#(CSRFMiddleware.formField)" value="\#(token)">"#)
    }
}
